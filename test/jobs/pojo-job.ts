/**
 * Records of a user class (with methods, a Buffer field and a -0 field) through every boundary:
 *   state <out dir> <hashmap|leveldb>
 *       source (holds at half until a checkpoint completed) -> map: new Word -> map (chained: a
 *       copy) -> keyBy(word) (an exchange) -> running total in keyed ValueState<Word> -> map that
 *       fails at the first total of the second half (so after a checkpoint; then a restore from it)
 *       -> executeAndCollect. Each step calls
 *       the record's method and checks its class, Buffer and -0; the client prints
 *       `RESULT <sorted word:total:len:bytes>`. The failing map writes `<out dir>/failed` first.
 *   print
 *       a Word (with toString), a Map and a Set through an exchange into print().
 *   unregistered
 *       instances of a class the job does not register through a chain copy: `RESULT` with what the
 *       next operator got (plain objects).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KeyedProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type SourceContext,
  type ValueState,
} from 'miniflink';

/** A record class, as a Flink job's POJO. */
export class Word {
  /** Always -0: an exchange must keep the sign. */
  zero = -0;
  constructor(
    public word: string,
    public count: number,
    public bytes: Buffer,
  ) {}
  len(): number {
    return this.word.length;
  }
  toString(): string {
    return `Word(${this.word}, ${this.count})`;
  }
}

const [mode, out, backend] = process.argv.slice(2);
const WORDS = ['a', 'bb', 'ccc', 'dddd'];
/** Numbers per source subtask. */
const PER_SUBTASK = 200;
/** Records of each word before the sources hold (two subtasks, four words). */
const FIRST_HALF_PER_WORD = PER_SUBTASK / WORDS.length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks that w is a whole Word: its class, its method, its Buffer, and its -0 (not in keyed state:
 * the LevelDB backend's own packer writes -0 as 0).
 */
function check(w: unknown, where: string, negativeZero = true): Word {
  if (!(w instanceof Word) || w.len() !== w.word.length || !Buffer.isBuffer(w.bytes) || (negativeZero && !Object.is(w.zero, -0))) {
    const x = w as Partial<Word>;
    throw new Error(`not a Word (with a Buffer and -0) ${where}: ${JSON.stringify(w)}, class ${Object.getPrototypeOf(w)?.constructor?.name}, bytes a Buffer: ${Buffer.isBuffer(x.bytes)}, zero is -0: ${Object.is(x.zero, -0)}`);
  }
  return w;
}

/** Emits 1..2*PER_SUBTASK over two subtasks; on the first attempt holds at half until a checkpoint completed. */
class Numbers extends RichParallelSourceFunction<number> implements CheckpointedFunction, CheckpointListener {
  private next = 0;
  private state!: ListState<[number, number]>;
  private canceled = false;
  private checkpointed = false;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<[number, number]>('next'));
    const me = this.getRuntimeContext().getIndexOfThisSubtask();
    for (const [subtask, next] of this.state.get()) if (subtask === me) this.next = next;
  }
  snapshotState(): void {
    this.state.update([[this.getRuntimeContext().getIndexOfThisSubtask(), this.next]]);
  }
  notifyCheckpointComplete(): void {
    this.checkpointed = true;
  }
  cancel(): void {
    this.canceled = true;
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const rc = this.getRuntimeContext();
    const p = rc.getNumberOfParallelSubtasks();
    const me = rc.getIndexOfThisSubtask();
    while (this.next < PER_SUBTASK && !this.canceled) {
      if (this.next >= PER_SUBTASK / 2 && rc.getAttemptNumber() === 0 && !this.checkpointed) {
        await sleep(5);
        continue;
      }
      const n = this.next++ * p + me + 1;
      const wait = ctx.collect(n);
      if (wait) await wait;
    }
  }
}

/** The running total of a word in keyed ValueState<Word>. */
class Total extends KeyedProcessFunction<string, Word, Word> {
  private total!: ValueState<Word>;
  override open(): void {
    this.total = this.getRuntimeContext().getState(new ValueStateDescriptor<Word>('total'));
  }
  processElement(w: Word, _ctx: KeyedProcessContext<string>, outc: Collector<Word>): void {
    check(w, 'after the keyBy exchange');
    const prev = this.total.value();
    const before = prev === null || prev === undefined ? 0 : check(prev, 'from keyed state', false).count;
    const next = new Word(w.word, before + w.count, Buffer.from(`${w.word}${before + w.count}`));
    this.total.update(next);
    outc.collect(next);
  }
}

/**
 * Fails once: on the first attempt, at the first total above the first half's (50 of each word):
 * the sources emit the second half only after a checkpoint completed, so the job restores from it.
 */
class FailOnce extends RichMapFunction<Word, Word> {
  map(w: Word): Word {
    check(w, 'after a chain copy behind the keyed state');
    if (w.count > FIRST_HALF_PER_WORD && this.getRuntimeContext().getAttemptNumber() === 0) {
      writeFileSync(join(out!, 'failed'), 'injected failure after a checkpoint\n', { flag: 'a' });
      throw new Error('injected failure after a checkpoint');
    }
    return w;
  }
}

/** Not registered. */
class Loose {
  constructor(public n: number) {}
  twice(): number {
    return this.n * 2;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.getConfig().registerPojoType(Word);

if (mode === 'state') {
  env.setParallelism(2);
  env.enableCheckpointing(50);
  // One restart: the injected failure's. A record that lost its class fails the job for good.
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 100));
  if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
  const results = await env
    .addSource(new Numbers())
    .uid('numbers')
    .map((n) => new Word(WORDS[n % WORDS.length]!, 1, Buffer.from([n % 256])))
    .uid('words')
    .map((w) => check(w, 'after a chain copy'))
    .uid('check')
    .keyBy((w) => w.word)
    .process(new Total())
    .uid('total')
    .map(new FailOnce())
    .uid('fail-once')
    .executeAndCollect('pojo-job');
  const lines = results.map((r) => {
    const w = check(r, 'in executeAndCollect');
    return `${w.word}:${w.count}:${w.len()}:${w.bytes.toString()}`;
  });
  console.log(`RESULT ${JSON.stringify(lines.sort())}`);
} else if (mode === 'print') {
  env.setParallelism(1);
  env
    .fromElements<unknown>(new Word('a', 1, Buffer.from('a')), new Map<string, unknown>([['k', 1], ['w', new Word('b', 2, Buffer.from('b'))]]), new Set<unknown>([1, 'x']), { plain: [1, 2] })
    .rebalance()
    .print();
  await env.execute('pojo-print');
} else if (mode === 'unregistered') {
  env.setParallelism(1);
  const got = await env
    .fromSequence(1, 3)
    .map((n) => new Loose(n))
    .map((x) => `${Object.getPrototypeOf(x) === Loose.prototype ? 'Loose' : 'plain'}:${JSON.stringify(x)}`)
    .executeAndCollect();
  console.log(`RESULT ${JSON.stringify(got)}`);
}
