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
import { InputGate } from '../network/input-gate.js';
import { createChannelSelector } from '../network/partitioners.js';
import { RecordWriter } from '../network/record-writer.js';
import type { Transport } from '../network/transport.js';
import { createOperator, needsDefensiveCopy } from '../operators/operator-factory.js';
import { copyRecord } from '../../core/record-copy.js';
import type { Output, StreamOperator } from '../operators/stream-operator.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../operators/streaming-runtime-context.js';

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
  readonly now: () => number;
  readonly sendCollected: (collectId: string, records: unknown[], epoch: number) => void;
  readonly track: (work: Promise<void>) => void;
  /** Runs an action from outside the task's loop (a timer) in the task's order; a failure fails the task. */
  readonly mailbox: (action: () => void) => void;
  /** Where keyed state lives. */
  readonly stateBackend: 'hashmap' | 'leveldb';
  /** The TaskManager's temporary directory (LevelDB databases go below it). */
  readonly tmpDir: string;
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
  const metrics = new SimpleMetricGroup();
  const info = {
    taskName: vertex.name,
    jobId,
    index: me,
    parallelism: vertex.parallelism,
    maxParallelism: vertex.maxParallelism,
    attempt,
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
    const w = new RecordWriter(transport, selector, targets, codec, spec.bufferTimeout === 0, `'${operatorName}' (${me + 1}/${vertex.parallelism})`);
    writers.push(w);
    return w;
  };

  // Build tail-first so each operator's output can point at the operators it calls.
  const built = new Map<number, StreamOperator>();
  for (const op of [...vertex.operators].reverse()) {
    const t = byId.get(op.nodeId)!;
    const keyed = t.stateKeySelector !== undefined || t.operator!.type === 'keyedProcess' || t.operator!.type === 'reduce';
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
      runtimeContext: new StreamingRuntimeContext(info, backend, accumulators, metrics),
      keyedBackend: backend,
      now: spec.now,
      sendCollected: spec.sendCollected,
      track: spec.track,
      mailbox: spec.mailbox,
    });
    // Keyed and reduce operators set the key themselves; any other operator on a KeyedStream gets
    // the record's key set before each record (Flink's setKeyContextElement).
    if (backend && t.stateKeySelector !== undefined && t.operator!.type !== 'keyedProcess' && t.operator!.type !== 'reduce') {
      operator.setKeyContext(backend, toCallable<(v: unknown) => unknown>(t.stateKeySelector, 'getKey', 'key selector'));
    }
    const outputs: Output[] = [];
    for (const next of op.chainedOutputs) {
      const target = built.get(next)!;
      const copy = !spec.objectReuse && needsDefensiveCopy(byId.get(next)!.operator!);
      outputs.push(copy ? { collect: (r) => target.processElement(copyRecord(r)) } : { collect: (r) => target.processElement(r) });
    }
    for (const edgeId of op.networkOutputs) {
      const w = writerOf(edgeId, t.name);
      outputs.push({ collect: (r) => w.emit(r) });
    }
    operator.output = combine(outputs);
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
        inputIndex: 0,
      }));
    });
    gate = new InputGate(transport, channels);
  }

  const operators = vertex.operators.map((o) => built.get(o.nodeId)!);
  return { operators, head: operators[0]!, writers, gate, accumulators, codec };
}

function combine(outputs: Output[]): Output {
  if (outputs.length === 1) return outputs[0]!;
  if (outputs.length === 0) return { collect: () => {} };
  return {
    collect: (r) => {
      for (const o of outputs) o.collect(r);
    },
  };
}
