/**
 * The logical plan a program builds: a DAG of Transformations (Flink's Transformation classes),
 * each one operator, partitioning step, union or sink. Plain data plus the user's functions; the
 * graph module turns it into a StreamGraph and a JobGraph, the runtime into running operators.
 */
import type { KeySelector } from './functions/functions.js';
import type { MapStateDescriptor } from './state/state.js';
import type { OutputTag } from './functions/process-function.js';
import type { WindowOperatorSpec } from './windowing/window-spec.js';
import type { ExecutionConfig } from './execution-config.js';

/** Flink's ChainingStrategy. */
export type ChainingStrategy = 'ALWAYS' | 'NEVER' | 'HEAD' | 'HEAD_WITH_SOURCES';

/** How records move on an edge (Flink's partitioners; `hash` is keyBy). */
export type PartitionerKind = 'forward' | 'rebalance' | 'rescale' | 'shuffle' | 'broadcast' | 'global' | 'hash';

/** A partitioning step. */
export interface PartitionerSpec {
  /** The partitioner. */
  readonly kind: PartitionerKind;
  /** The key selector of a `hash` partitioner. */
  readonly keySelector?: KeySelector<unknown, unknown>;
}

/** What an operator transformation runs; the runtime has one operator per `type`. */
export type OperatorSpec =
  | {
      readonly type: 'source';
      readonly fn: unknown;
      readonly bounded: boolean;
      /** env.fromSource's WatermarkStrategy, which then runs inside the source (undefined: addSource). */
      readonly watermarkStrategy?: unknown;
      /** The job's ExecutionConfig (its auto-watermark interval), with a watermark strategy. */
      readonly executionConfig?: ExecutionConfig;
    }
  | { readonly type: 'map'; readonly fn: unknown }
  | { readonly type: 'flatMap'; readonly fn: unknown }
  | { readonly type: 'filter'; readonly fn: unknown }
  | { readonly type: 'process'; readonly fn: unknown }
  | { readonly type: 'keyedProcess'; readonly fn: unknown; readonly keySelector: KeySelector<unknown, unknown> }
  | { readonly type: 'reduce'; readonly fn: unknown; readonly keySelector: KeySelector<unknown, unknown> }
  | { readonly type: 'broadcastProcess'; readonly fn: unknown; readonly descriptors: ReadonlyArray<MapStateDescriptor<unknown, unknown>> }
  | { readonly type: 'keyedBroadcastProcess'; readonly fn: unknown; readonly keySelector: KeySelector<unknown, unknown>; readonly descriptors: ReadonlyArray<MapStateDescriptor<unknown, unknown>> }
  /** Connected streams (ConnectedStreams): the key selectors of the keyed inputs. */
  | { readonly type: 'coMap'; readonly fn: unknown; readonly keySelector1?: KeySelector<unknown, unknown>; readonly keySelector2?: KeySelector<unknown, unknown> }
  | { readonly type: 'coFlatMap'; readonly fn: unknown; readonly keySelector1?: KeySelector<unknown, unknown>; readonly keySelector2?: KeySelector<unknown, unknown> }
  | { readonly type: 'coProcess'; readonly fn: unknown; readonly keySelector1?: KeySelector<unknown, unknown>; readonly keySelector2?: KeySelector<unknown, unknown> }
  | { readonly type: 'keyedCoProcess'; readonly fn: unknown; readonly keySelector1: KeySelector<unknown, unknown>; readonly keySelector2: KeySelector<unknown, unknown> }
  /** keyBy().intervalJoin(keyBy()): inclusive bounds (exclusive ones already moved by 1 ms), late-data tags. */
  | {
      readonly type: 'intervalJoin';
      readonly fn: unknown;
      readonly keySelector1: KeySelector<unknown, unknown>;
      readonly keySelector2: KeySelector<unknown, unknown>;
      readonly lowerBound: number;
      readonly upperBound: number;
      readonly leftLateTag: OutputTag<unknown> | undefined;
      readonly rightLateTag: OutputTag<unknown> | undefined;
    }
  | { readonly type: 'window'; readonly keySelector: KeySelector<unknown, unknown>; readonly window: WindowOperatorSpec }
  | { readonly type: 'sink'; readonly fn: unknown }
  | { readonly type: 'collect'; readonly collectId: string }
  /** assignTimestampsAndWatermarks: Flink's TimestampsAndWatermarksOperator. */
  | { readonly type: 'timestampsAndWatermarks'; readonly strategy: unknown; readonly executionConfig: ExecutionConfig };

/** The kinds of transformation. */
export type TransformationKind = 'source' | 'oneInput' | 'twoInput' | 'partition' | 'union' | 'sideOutput' | 'sink';

/** One node of the logical plan. */
export class Transformation {
  /** User-visible name (Flink's default names: Map, Filter, Source: ..., Sink: ...). */
  name: string;
  /** Stable id for state; set by uid(). */
  uid: string | undefined;
  /** Parallelism; undefined means the environment's default. */
  parallelism: number | undefined;
  /** Max parallelism; undefined means the environment's or Flink's default. */
  maxParallelism: number | undefined;
  /** Slot sharing group set by slotSharingGroup(); undefined means inherited. */
  slotSharingGroup: string | undefined;
  /** How this operator chains to its neighbours. */
  chainingStrategy: ChainingStrategy;
  /** Whether a user set the parallelism (a non-parallel source may not). */
  readonly parallelismLocked: boolean;
  /**
   * For an operator applied on a KeyedStream (Flink's stateKeySelector): the key of each record,
   * which its keyed state and timers are scoped to.
   */
  stateKeySelector: KeySelector<unknown, unknown> | undefined;
  /** For a side output (getSideOutput): the OutputTag's id. */
  sideOutputTag: string | undefined;

  constructor(
    /** Creation order within the environment: unique, and the same for the same program. */
    readonly id: number,
    /** The kind. */
    readonly kind: TransformationKind,
    name: string,
    /** The inputs (none for a source). */
    readonly inputs: readonly Transformation[],
    /** The operator, for source, oneInput and sink transformations. */
    readonly operator: OperatorSpec | undefined,
    /** The partitioner, for partition transformations. */
    readonly partitioner: PartitionerSpec | undefined,
    options: { parallelism?: number | undefined; parallelismLocked?: boolean; chainingStrategy?: ChainingStrategy } = {},
  ) {
    this.name = name;
    this.uid = undefined;
    this.parallelism = options.parallelism;
    this.maxParallelism = undefined;
    this.slotSharingGroup = undefined;
    this.chainingStrategy = options.chainingStrategy ?? 'ALWAYS';
    this.parallelismLocked = options.parallelismLocked ?? false;
    this.stateKeySelector = undefined;
    this.sideOutputTag = undefined;
  }
}
