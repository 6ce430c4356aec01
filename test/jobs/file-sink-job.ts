/**
 * FileSink cases found by a break-it review, one per mode (output below <out>):
 *   nocp <out>                 fromSequence(1, 1000) at p=2 into a FileSink, no checkpointing: the
 *                              files are committed at the end of input
 *   bytes <out>                Encoders returning bytes (UTF-8 text, and 00 7f 80 ff 0a): written as they are
 *   two-sinks <out> <N>        two identical pipelines (default names, p=2, two regions) into one
 *                              directory, lines `x,a` and `x,b`; pipeline a fails once at x = N/3
 *   savepoint <out> <N> <dir> <flag> first|restore
 *                              first: a savepoint into <dir> (no checkpoint for a minute), then a
 *                              failure (once <flag> exists) back to the start; restore: run -s from it
 * Sources emit 1..N split over the subtasks, with their position in list state, pausing 10 ms every 50.
 */
import { existsSync, writeFileSync } from 'node:fs';
import {
  BasePathBucketAssigner,
  FileSink,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  type CheckpointedFunction,
  type Encoder,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const [mode, out, n, dir, flag, step] = process.argv.slice(2);
const N = Number(n ?? 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Paced extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private ranges: Array<[number, number]> | undefined;
  private state!: ListState<[number, number]>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('ranges'));
    if (ctx.isRestored()) this.ranges = [...this.state.get()];
  }
  snapshotState(): void {
    this.state.update((this.ranges ?? []).filter(([a, b]) => a <= b));
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    if (!this.ranges) {
      const rc = this.getRuntimeContext();
      const [p, i] = [rc.getNumberOfParallelSubtasks(), rc.getIndexOfThisSubtask()];
      this.ranges = [[1 + Math.floor((N * i) / p), Math.floor((N * (i + 1)) / p)]];
    }
    for (const range of this.ranges) {
      while (range[0] <= range[1] && this.running) {
        await ctx.collect(range[0]++);
        if (range[0] % 50 === 0) await sleep(10);
      }
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/** `x,tag`; fails once (attempt 0) at `failAt`, or once `flag` exists (savepoint mode). */
class Tag extends RichMapFunction<number, string> {
  constructor(
    private readonly tag: string,
    private readonly failAt: number,
  ) {
    super();
  }
  map(x: number): string {
    const first = this.getRuntimeContext().getAttemptNumber() === 0;
    if (first && (x === this.failAt || (mode === 'savepoint' && step === 'first' && x % 10 === 0 && existsSync(flag!)))) throw new Error(`planned failure at ${x}`);
    return `${x},${this.tag}`;
  }
}

const files = <T>(path: string, encoder: Encoder<T> = new SimpleStringEncoder<T>()) => FileSink.forRowFormat<T>(path, encoder).withBucketAssigner(new BasePathBucketAssigner<T>()).build();
const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (mode === 'nocp') {
  env.setParallelism(2);
  env.fromSequence(1, 1000).map(String).sinkTo(files<string>(out!));
  await env.execute('file sink without checkpoints');
} else if (mode === 'bytes') {
  env.setParallelism(1);
  env.enableCheckpointing(100);
  env.fromElements('héllo', 'naïve €').sinkTo(files<string>(`${out}/utf8`, { encode: (s) => new TextEncoder().encode(`${s}\n`) }));
  env.fromElements('x').sinkTo(files<string>(`${out}/bin`, { encode: () => new Uint8Array([0x00, 0x7f, 0x80, 0xff, 0x0a]) }));
  await env.execute('file sink bytes');
} else if (mode === 'two-sinks') {
  env.setParallelism(2);
  env.enableCheckpointing(100);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  for (const tag of ['a', 'b']) {
    env
      .addSource(new Paced())
      .uid(`src-${tag}`)
      .keyBy((x) => x % 5)
      .map(new Tag(tag, tag === 'a' ? Math.floor(N / 3) : -1))
      .uid(`map-${tag}`)
      .sinkTo(files<string>(out!))
      .uid(`sink-${tag}`);
  }
  await env.execute('two file sinks');
} else {
  env.setParallelism(1);
  env.enableCheckpointing(step === 'first' ? 60_000 : 200);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  env
    .addSource(new Paced())
    .uid('src')
    .map(new Tag('s', -1))
    .uid('map')
    .sinkTo(files<string>(out!))
    .uid('sink');
  if (step === 'first') {
    const client = await env.executeAsync('savepoint then failover');
    await sleep(800);
    await client.triggerSavepoint(dir!);
    writeFileSync(flag!, '');
    await client.getJobExecutionResult();
  } else {
    await env.execute('restored from the savepoint');
  }
}
