/**
 * Builds the operators of one subtask of a vertex: runtime operators wired by chained outputs
 * (nested calls, with a defensive copy unless object reuse is on) and record writers (network).
 *
 *   [Source] --call--> [Map] --call--> [Filter] --RecordWriter--> (network)
 */
import { toCallable, type Accumulator, type StreamExecutionEnvironment, type Transformation } from '../../api/index.js';
import { computeKeyGroupRangeForOperatorIndex } from '../../core/key-groups.js';
import { RecordBatchCodec } from '../../core/serde.js';
import { consumersOf, producersOf, type JobGraph, type JobVertex } from '../../graph/index.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend } from '../../state/index.js';
import { join } from 'node:path';
import { channelKey } from '../protocol.js';
import type { SubtaskWatermarks } from '../watermark-table.js';
import { InputGate } from '../network/input-gate.js';
import { createChannelSelector } from '../network/partitioners.js';
import { RecordWriter } from '../network/record-writer.js';
import type { Transport } from '../network/transport.js';
import { createOperator, needsDefensiveCopy } from '../operators/operator-factory.js';
import { copyRecord, lastPlainLayout } from '../../core/record-copy.js';
import type { Output, StreamOperator } from '../operators/stream-operator.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../operators/streaming-runtime-context.js';
import type { SimpleCounter } from '../../metrics/index.js';
import type { Logger } from '../../core/logging.js';
import type { OperatorMetrics, TaskMetrics } from './task-metrics.js';

/** Everything needed to build a subtask's chain. */
export interface ChainSpec {
  readonly job: JobGraph;
  readonly vertex: JobVertex;
  readonly env: StreamExecutionEnvironment;
  readonly jobId: string;
  readonly attempt: number;
  readonly subtaskIndex: number;
  readonly placement: Readonly<Record<string, readonly number[]>>;
  readonly transport: Transport;
  readonly objectReuse: boolean;
  readonly bufferTimeout: number;
  /** Batches to a task in this thread go by reference (`pipeline.local-exchange.by-reference`). */
  readonly localByReference: boolean;
  readonly now: () => number;
  readonly sendCollected: (collectId: string, records: unknown[], epoch: number) => void;
  readonly track: (work: Promise<void>) => void;
  /** Runs an action from outside the task's loop (a timer) in the task's order; a failure fails the task. */
  readonly mailbox: (action: () => void) => void;
  /** Where keyed state lives. */
  readonly stateBackend: 'hashmap' | 'leveldb';
  /** The TaskManager's temporary directory (LevelDB databases go below it). */
  readonly tmpDir: string;
  /** The job's shared watermark table as this subtask uses it (REST input watermark, source alignment). */
  readonly watermarks?: SubtaskWatermarks | undefined;
  /** The subtask's metrics, one OperatorMetrics per operator in vertex order (none: `metrics.enabled: false`). */
  readonly metrics?: TaskMetrics | undefined;
  /** The TaskManager's loggers, on the task's thread (getRuntimeContext().getLogger()). */
  readonly loggers?: ((name: string) => Logger) | undefined;
  /** Whether the job takes periodic checkpoints (getRuntimeContext().isCheckpointingEnabled()). */
  readonly checkpointing?: { readonly enabled: boolean } | undefined;
}

/** A built chain. */
export interface OperatorChain {
  /** Operators, head first. */
  readonly operators: readonly StreamOperator[];
  /** The head operator (input records go here). */
  readonly head: StreamOperator;
  /** Every record writer of the chain. */
  readonly writers: readonly RecordWriter[];
  /** The input gate, or undefined for a source task. */
  readonly gate: InputGate | undefined;
  /** Accumulators registered by the chain's functions. */
  readonly accumulators: Map<string, Accumulator<unknown, unknown>>;
  /** The codec for input buffers. */
  readonly codec: RecordBatchCodec;
}

/** Builds the chain of one subtask. */
export function buildOperatorChain(spec: ChainSpec): OperatorChain {
  const { job, vertex, env, jobId, attempt, subtaskIndex: me, placement, transport } = spec;
  const byId = new Map<number, Transformation>(env.transformations.map((t) => [t.id, t]));
  const codec = new RecordBatchCodec();
  const accumulators = new Map<string, Accumulator<unknown, unknown>>();
  const taskMetrics = spec.metrics;
  const operatorIndex = new Map(vertex.operators.map((o, i) => [o.nodeId, i]));
  const metricsOf = (nodeId: number) => taskMetrics?.operators[operatorIndex.get(nodeId)!];
  const info = {
    taskName: vertex.name,
    jobId,
    index: me,
    parallelism: vertex.parallelism,
    maxParallelism: vertex.maxParallelism,
    attempt,
    checkpointingEnabled: spec.checkpointing?.enabled === true,
  };

  const writers: RecordWriter[] = [];
  const writerOf = (edgeId: number, operatorName: string): RecordWriter => {
    const edge = job.edges[edgeId]!;
    const consumer = job.vertices.find((v) => v.id === edge.targetVertex)!;
    const targets = consumersOf(edge.shipStrategy, vertex.parallelism, consumer.parallelism, me).map((j) => ({
      key: channelKey(jobId, attempt, edgeId, me, j),
      slot: placement[consumer.id]![j]!,
    }));
    const keySelector = edge.partitionTransformationId !== undefined ? byId.get(edge.partitionTransformationId)?.partitioner?.keySelector : undefined;
    const keyOf = keySelector !== undefined ? toCallable<(v: unknown) => unknown>(keySelector, 'getKey', 'key selector') : undefined;
    const selector = createChannelSelector(edge.shipStrategy, targets.length, keyOf, consumer.maxParallelism);
    const w = new RecordWriter(transport, selector, targets, codec, spec.bufferTimeout === 0, `'${operatorName}' (${me + 1}/${vertex.parallelism})`, taskMetrics, spec.localByReference);
    writers.push(w);
    return w;
  };

  // Build tail-first so each operator's output can point at the operators it calls.
  const built = new Map<number, StreamOperator>();
  for (const op of [...vertex.operators].reverse()) {
    const t = byId.get(op.nodeId)!;
    const keyed = t.stateKeySelector !== undefined || SETS_OWN_KEY.has(t.operator!.type);
    let backend: AbstractKeyedStateBackend | undefined;
    if (keyed) {
      const range = computeKeyGroupRangeForOperatorIndex(vertex.maxParallelism, vertex.parallelism, me);
      backend =
        spec.stateBackend === 'leveldb'
          ? new LevelDbKeyedStateBackend(join(spec.tmpDir, `leveldb-${jobId}-${attempt}-${op.operatorId.slice(0, 8)}-${me}`), vertex.maxParallelism, range)
          : new HeapKeyedStateBackend(vertex.maxParallelism, range);
      backend.now = spec.now;
      // A write that failed in the background (a LevelDB batch) fails the task.
      backend.onError = (e) =>
        spec.mailbox(() => {
          throw e;
        });
    }
    const operator = createOperator(t.operator!, {
      runtimeContext: new StreamingRuntimeContext(info, backend, accumulators, metricsOf(op.nodeId)?.group ?? new SimpleMetricGroup(), spec.loggers, op.name, op.operatorId),
      keyedBackend: backend,
      now: spec.now,
      sendCollected: spec.sendCollected,
      track: spec.track,
      mailbox: spec.mailbox,
      watermarks: spec.watermarks,
      operatorName: t.name,
      objectReuse: spec.objectReuse,
    });
    // Keyed process, reduce and keyed broadcast operators set the key themselves; any other operator on a KeyedStream gets
    // the record's key set before each record (Flink's setKeyContextElement).
    if (backend && t.stateKeySelector !== undefined && !SETS_OWN_KEY.has(t.operator!.type) && !KEYS_PER_INPUT.has(t.operator!.type)) {
      operator.setKeyContext(backend, toCallable<(v: unknown) => unknown>(t.stateKeySelector, 'getKey', 'key selector'));
    }
    // The main output and each side output lead to chained operators and/or record writers.
    const outputs: Output[] = [];
    const sides = new Map<string, Output[]>();
    const sideList = (tag: string) => {
      let l = sides.get(tag);
      if (!l) sides.set(tag, (l = []));
      return l;
    };
    const label = `'${t.name}' (${me + 1}/${vertex.parallelism})`;
    const copyInto = (next: number) => !spec.objectReuse && needsDefensiveCopy(byId.get(next)!.operator!);
    const own = metricsOf(op.nodeId);
    // Records out of this operator are counted once per record: in its only output, else around all of them.
    const single = op.chainedOutputs.length + op.networkOutputs.length === 1 && (op.chainedSideOutputs ?? []).length === 0 && op.networkOutputs.every((e) => job.edges[e]!.outputTag === undefined);
    const countOut = single ? own?.recordsOut : undefined;
    for (const next of op.chainedOutputs) outputs.push(chainedOutput(built.get(next)!, copyInto(next), label, metricsOf(next), countOut));
    for (const [tag, next] of op.chainedSideOutputs ?? []) sideList(tag).push(chainedOutput(built.get(next)!, copyInto(next), label, metricsOf(next), undefined));
    for (const edgeId of op.networkOutputs) {
      const w = writerOf(edgeId, t.name);
      const out: Output = { collect: networkCollect(w, taskMetrics?.recordsOut, countOut), emitWatermark: (wm) => w.broadcastWatermark(wm), emitWatermarkStatus: (idle) => w.broadcastStatus(idle), collectSide: () => {} };
      const tag = job.edges[edgeId]!.outputTag;
      if (tag === undefined) outputs.push(out);
      else sideList(tag).push(out);
    }
    operator.output = counted(combine(outputs, sides), own, single);
    built.set(op.nodeId, operator);
  }

  let gate: InputGate | undefined;
  if (vertex.inputs.length > 0) {
    const channels = vertex.inputs.flatMap((edgeId) => {
      const edge = job.edges[edgeId]!;
      const producer = job.vertices.find((v) => v.id === edge.sourceVertex)!;
      return producersOf(edge.shipStrategy, producer.parallelism, vertex.parallelism, me).map((i) => ({
        key: channelKey(jobId, attempt, edgeId, i, me),
        producerSlot: placement[producer.id]![i]!,
        inputIndex: edge.inputIndex,
      }));
    });
    gate = new InputGate(transport, channels);
  }

  const operators = vertex.operators.map((o) => built.get(o.nodeId)!);
  return { operators, head: operators[0]!, writers, gate, accumulators, codec };
}

/** The keys of every channel of a subtask: its input channels, then its output channels. */
export function channelKeysOf(job: JobGraph, vertex: JobVertex, jobId: string, attempt: number, me: number): string[] {
  const keys: string[] = [];
  for (const edgeId of vertex.inputs) {
    const edge = job.edges[edgeId]!;
    const producer = job.vertices.find((v) => v.id === edge.sourceVertex)!;
    for (const i of producersOf(edge.shipStrategy, producer.parallelism, vertex.parallelism, me)) keys.push(channelKey(jobId, attempt, edgeId, i, me));
  }
  job.edges.forEach((edge, edgeId) => {
    if (edge.sourceVertex !== vertex.id) return;
    const consumer = job.vertices.find((v) => v.id === edge.targetVertex)!;
    for (const j of consumersOf(edge.shipStrategy, vertex.parallelism, consumer.parallelism, me)) keys.push(channelKey(jobId, attempt, edgeId, me, j));
  });
  return keys;
}

/** Operators of keyed connected streams: they make each input's key current themselves (one key selector per input). */
const KEYS_PER_INPUT: ReadonlySet<string> = new Set(['coMap', 'coFlatMap', 'coProcess', 'keyedCoProcess', 'intervalJoin']);

/** Keyed operators that set the current key themselves. */
const SETS_OWN_KEY: ReadonlySet<string> = new Set(['keyedProcess', 'reduce', 'keyedBroadcastProcess']);

type ChainedCollectFactory = (
  target: StreamOperator,
  copy: typeof copyRecord,
  label: string,
  out: SimpleCounter | undefined,
  inCount: SimpleCounter | undefined,
  next: Output['collect'] | undefined,
  aux: unknown,
  lastLayout: typeof lastPlainLayout,
) => Output['collect'];

/**
 * The collect of one chained output, compiled for it alone (new Function): closures made from one
 * function literal share V8's feedback, so the call into the next operator would be polymorphic
 * across every chained output of the thread and not inlined; compiled apart, each call site sees
 * one operator. Plain increments of the metrics in the call the record makes anyway (Flink's
 * CountingOutput and ChainingOutput). Into a map, filter or sink, the operator's processElement
 * is compiled in (FusedElement): V8 inlines only a few call levels deep, so a chain of n such
 * operators costs n levels rather than 2n, and a short chain inlines into its source's loop.
 */
function chainedCollect(copy: boolean, countIn: boolean, countOut: boolean, fused: string | undefined): ChainedCollectFactory {
  // The copy: the layout function that copied this output's last record first (a plain object of
  // the same keys), else copyRecord (which also names the operator when the record cannot be copied).
  // A primitive needs none (a function or a symbol fails in copyRecord).
  const copyStep = copy
    ? ' if (typeof r === "object") { if (r !== null) { let c; if (lay !== undefined && r.constructor === Object) { try { c = lay(r); } catch { c = undefined; } }' +
      ' if (c !== undefined) r = c; else { r = copy(r, label); lay = lastLayout(); } } } else if (typeof r === "function" || typeof r === "symbol") copy(r, label);'
    : '';
  const step = fused !== undefined ? ` const self = target; ${fused}` : ' target.processElement(r, ts);';
  // V8 caches code compiled from the same source, with its feedback: each body is made unique.
  const body = `let lay; return function collect(r, ts) {${countOut ? ' out.inc();' : ''}${countIn ? ' inCount.inc();' : ''}${copyStep}${step} }; // output ${compiledOutputs++}`;
  try {
    return new Function('target', 'copy', 'label', 'out', 'inCount', 'next', 'aux', 'lastLayout', body) as ChainedCollectFactory;
  } catch {
    // Code generation from strings disallowed (node --disallow-code-generation-from-strings): closures.
    return (target, copyFn, label, out, inCount) => {
      const pass: Output['collect'] = copy ? (r, ts) => target.processElement(copyFn(r, label), ts) : (r, ts) => target.processElement(r, ts);
      if (!countIn) return pass;
      return (r, ts) => {
        if (countOut) out!.inc();
        inCount!.inc();
        pass(r, ts);
      };
    };
  }
}
/** Chained outputs compiled in this thread (each one's source is unique). */
let compiledOutputs = 0;

/**
 * The output into a chained operator (with a defensive copy of each record unless object reuse is
 * on; a record that cannot be copied fails naming the operator that emitted it).
 */
function chainedOutput(target: StreamOperator, copy: boolean, label: string, into: OperatorMetrics | undefined, out: SimpleCounter | undefined): Output {
  const inCount = into?.recordsIn;
  const fused = target.fusedElement();
  const collect = chainedCollect(copy, inCount !== undefined, inCount !== undefined && out !== undefined, fused?.code)(target, copyRecord, label, out, inCount, fused?.next, fused?.aux, lastPlainLayout);
  return {
    collect,
    emitWatermark: (wm) => {
      if (into) into.inputWatermark = wm;
      target.processWatermark(wm);
    },
    emitWatermarkStatus: (idle) => target.processWatermarkStatus(idle),
    collectSide: () => {},
  };
}

/** Records into a record writer (which copies each), counted as the task's (and, as its only output, the operator's) records out. */
function networkCollect(w: RecordWriter, task: SimpleCounter | undefined, op: SimpleCounter | undefined): Output['collect'] {
  if (task === undefined) return (r, ts) => w.emit(r, ts);
  if (op === undefined)
    return (r, ts) => {
      task.inc();
      w.emit(r, ts);
    };
  return (r, ts) => {
    task.inc();
    op.inc();
    w.emit(r, ts);
  };
}

/**
 * An operator's output with its metrics: the output watermark, and records out counted here when
 * the operator has several outputs (with one, that output counts them).
 */
function counted(output: Output, m: OperatorMetrics | undefined, single: boolean): Output {
  if (m === undefined) return output;
  const emitWatermark = (wm: number) => {
    m.outputWatermark = wm;
    output.emitWatermark(wm);
  };
  const outCount = m.recordsOut;
  // Side output records count as the operator's records out too (Flink's CountingOutput), consumed or not.
  const side = output.collectSide;
  const collectSide: Output['collectSide'] = (tag, r, ts) => {
    outCount.inc();
    side(tag, r, ts);
  };
  if (single) return { ...output, emitWatermark, collectSide };
  const base = output.collect;
  return {
    ...output,
    collect: (r, ts) => {
      outCount.inc();
      base(r, ts);
    },
    collectSide,
    emitWatermark,
  };
}

/**
 * One operator's output: records to every main output, side output records to the outputs of
 * their tag, watermarks and statuses to all of them (side outputs included, as in Flink).
 */
function combine(outputs: Output[], sides: ReadonlyMap<string, Output[]>): Output {
  const everyOutput = [...outputs, ...[...sides.values()].flat()];
  const collectSide = (tag: { id: string }, r: unknown, ts?: number) => {
    const targets = sides.get(tag.id);
    if (targets) for (const o of targets) o.collect(r, ts);
  };
  if (outputs.length === 1 && sides.size === 0) return { ...outputs[0]!, collectSide };
  return {
    collect:
      outputs.length === 1
        ? outputs[0]!.collect
        : (r, ts) => {
            for (const o of outputs) o.collect(r, ts);
          },
    emitWatermark: (wm) => {
      for (const o of everyOutput) o.emitWatermark(wm);
    },
    emitWatermarkStatus: (idle) => {
      for (const o of everyOutput) o.emitWatermarkStatus(idle);
    },
    collectSide,
  };
}
