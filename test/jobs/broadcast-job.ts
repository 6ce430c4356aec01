/**
 * Broadcast state: sensor readings (examples/sensors.ts) connected with a broadcast stream of
 * threshold rules, one per partition, sent in two rounds (the second one final). The rule source
 * keeps its position in operator list state and idles until the readings are all out, so rules are
 * never sent twice: after a restore only restored broadcast state knows them.
 *   keyed   keyBy(id).connect(rules).process(KeyedBroadcastProcessFunction): each reading goes to
 *           keyed ListState; an event-time timer per key fires at the end of input, reads the
 *           final rule from read-only broadcast state and emits "id,above,threshold,readings".
 *   report  the same, and when every key has all its readings (marker files), the rule source
 *           sends a report request; processBroadcastElement answers it with applyToKeyedState
 *           over the keyed ListState: "report,id,readings".
 *   plain   readings (not keyed).connect(rules).process(BroadcastProcessFunction): the readings
 *           wait until every subtask has all rules (marker files), then each is emitted with its
 *           partition's threshold: "id,timestamp,threshold".
 * With `fail` 1, a map after the readings fails once, at the first reading after a completed
 * checkpoint (the readings wait at half for one). A FileSink writes the results.
 * Arguments: <mode> <out dir> <backend> <fail 0|1> <marker dir> [gate file: each readings subtask
 * holds after half its readings until it exists]
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BasePathBucketAssigner,
  BroadcastProcessFunction,
  FileSink,
  KeyedBroadcastProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  MapStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichSourceFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  type BroadcastContext,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  type KeyedReadOnlyBroadcastContext,
  type ListState,
  type ReadOnlyBroadcastContext,
  type SourceContext,
} from 'miniflink';
import { SensorSource, type SensorReading } from '../../examples/sensors.js';
import { BROADCAST_SETTINGS as SETTINGS, RULES, type Rule } from './broadcast-settings.js';

const [mode, out, backend, fail, markers, gate] = process.argv.slice(2);
mkdirSync(markers!, { recursive: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const markerCount = (prefix: string) => readdirSync(markers!).filter((f) => f.startsWith(prefix)).length;
const partitionOf = (id: string) => Number(id.split('_')[1]);
const RULES_STATE = new MapStateDescriptor<number, Rule>('rules');

type RuleOrRequest = Rule | { report: true };

/** The rules, then (report mode) a report request once every key has all its readings; idles until the readings are out. */
class RuleSource extends RichSourceFunction<RuleOrRequest> implements CheckpointedFunction {
  private next = 0;
  private state!: ListState<number>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('rule-offset'));
    if (ctx.isRestored()) this.next = [...this.state.get()][0] ?? 0;
  }
  snapshotState(): void {
    this.state.update([this.next]);
  }
  async run(ctx: SourceContext<RuleOrRequest>): Promise<void> {
    while (this.next < RULES.length && this.running) await ctx.collect(RULES[this.next++]!);
    if (mode === 'report' && this.next === RULES.length) {
      const keys = SETTINGS.partitions * SETTINGS.sensors;
      while (markerCount('key-') < keys && this.running) await sleep(10);
      this.next++;
      await ctx.collect({ report: true });
    }
    while (!existsSync(join(markers!, 'readings-done')) && this.running) await sleep(10);
  }
  cancel(): void {
    this.running = false;
  }
}

/** The sensor source; in plain mode it waits until every subtask of the broadcast function has all rules. */
class Readings extends SensorSource implements CheckpointListener {
  private count = 0;
  private checkpointed = false;
  protected override emitted(): void {
    this.count++;
  }
  protected override async beforeReading(): Promise<void> {
    while (this.running && mode === 'plain' && markerCount('rules-') < this.getRuntimeContext().getNumberOfParallelSubtasks()) await sleep(10);
    if (this.count === Math.floor((SETTINGS.partitions * SETTINGS.perPartition) / 2 / this.getRuntimeContext().getNumberOfParallelSubtasks())) {
      while (gate && !existsSync(gate) && this.running) await sleep(20);
      // With a failure to inject, the first attempt goes on only once a checkpoint has completed.
      while (fail === '1' && this.getRuntimeContext().getAttemptNumber() === 0 && !this.checkpointed && this.running) await sleep(10);
    }
  }
  notifyCheckpointComplete(): void {
    this.checkpointed = true;
  }
  override async run(ctx: SourceContext<SensorReading>): Promise<void> {
    await super.run(ctx);
    writeFileSync(join(markers!, `readings-done`), '');
  }
}

class Thresholds extends KeyedBroadcastProcessFunction<string, SensorReading, RuleOrRequest, string> {
  private temps!: ListState<number>;
  override open(): void {
    this.temps = this.getRuntimeContext().getListState(new ListStateDescriptor<number>('temps'));
  }
  processElement(r: SensorReading, ctx: KeyedReadOnlyBroadcastContext<string>, _out: Collector<string>): void {
    this.temps.add(r.temperature);
    ctx.timerService().registerEventTimeTimer(Number.MAX_SAFE_INTEGER - 1);
    if ([...this.temps.get()].length === SETTINGS.perPartition / SETTINGS.sensors) writeFileSync(join(markers!, `key-${r.id}`), '');
  }
  processBroadcastElement(r: RuleOrRequest, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    if ('report' in r) {
      ctx.applyToKeyedState(new ListStateDescriptor<number>('temps'), (key, state) => out.collect(`report,${String(key)},${[...state.get()].length}`));
      return;
    }
    ctx.getBroadcastState(RULES_STATE).put(r.partition, r);
  }
  override onTimer(_ts: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
    const rule = ctx.getBroadcastState(RULES_STATE).get(partitionOf(ctx.getCurrentKey()));
    const temps = [...this.temps.get()];
    out.collect(`${ctx.getCurrentKey()},${temps.filter((t) => t > (rule?.threshold ?? Infinity)).length},${rule?.threshold},${temps.length}`);
  }
}

class Enrich extends BroadcastProcessFunction<SensorReading, RuleOrRequest, string> implements CheckpointedFunction {
  /** A subtask restored with every final rule already in its copy says so (no rule will come again). */
  initializeState(ctx: FunctionInitializationContext): void {
    const state = ctx.getOperatorStateStore().getBroadcastState(RULES_STATE);
    const rules = [...state.entries()];
    if (ctx.isRestored() && rules.length === SETTINGS.partitions && rules.every(([, x]) => x.round === 2)) {
      writeFileSync(join(markers!, `rules-${this.getRuntimeContext().getIndexOfThisSubtask()}`), '');
    }
  }
  snapshotState(): void {}
  processElement(r: SensorReading, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void {
    out.collect(`${r.id},${r.timestamp},${ctx.getBroadcastState(RULES_STATE).get(partitionOf(r.id))?.threshold}`);
  }
  processBroadcastElement(r: RuleOrRequest, ctx: BroadcastContext): void {
    if ('report' in r) return;
    const state = ctx.getBroadcastState(RULES_STATE);
    state.put(r.partition, r);
    if (r.round === 2 && [...state.entries()].every(([, x]) => x.round === 2) && [...state.entries()].length === SETTINGS.partitions) {
      writeFileSync(join(markers!, `rules-${this.getRuntimeContext().getIndexOfThisSubtask()}`), '');
    }
  }
}

/** Fails once: on the first attempt, at the first reading after a checkpoint completed. */
class FailOnce extends RichMapFunction<SensorReading, SensorReading> implements CheckpointListener {
  private checkpointed = false;
  map(x: SensorReading): SensorReading {
    if (fail === '1' && this.checkpointed && this.getRuntimeContext().getAttemptNumber() === 0) {
      writeFileSync(join(markers!, 'failed'), '');
      throw new Error('injected failure after a checkpoint');
    }
    return x;
  }
  notifyCheckpointComplete(): void {
    this.checkpointed = true;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 50));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const rules = env.addSource(new RuleSource(), 'Rules').uid('rules').broadcast(RULES_STATE);
const readings = env.addSource(new Readings(SETTINGS)).uid('readings').map(new FailOnce()).uid('fail');
const lines =
  mode === 'plain'
    ? readings.connect(rules).process(new Enrich()).uid('enrich')
    : readings
        .keyBy((r) => r.id)
        .connect(rules)
        .process(new Thresholds())
        .uid('thresholds');
lines.sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute(`broadcast ${mode} ${backend}`);
