/**
 * The only messages that cross between threads (STYLE.md 3.8).
 *
 *   main thread (JobManager)                 slot thread (one per task slot)
 *        | -- ToSlot: init, deploy, cancel, shutdown -->  |
 *        | <-- FromSlot: ready, task-state, collect, stdio |
 *
 *   slot thread <== DataMessage (buffers, end of input, credits) ==> slot thread
 *   (one MessagePort per pair of slot threads; tasks in the same thread use a local loop-back)
 *
 * Every message is a tagged union member; data buffers are msgpackr bytes (core/serde.ts).
 */
import type { LogLevels } from '../core/logging.js';
import type { MemoryStats } from './memory-stats.js';
import type { MetricDump } from '../metrics/index.js';
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../core/errors.js';
import type { Compression } from '../checkpoint/compression.js';
import type { StateHandle } from '../checkpoint/metadata.js';
import type { LocalBatch } from './network/local-batch.js';

/** Where a job module comes from and how to call it. */
export interface ProgramSpec {
  /** Absolute path of the job module. */
  readonly path: string;
  /** The module compiled to one ES module (program-compiler.ts), which slot threads import. */
  readonly compiledPath?: string | undefined;
  /** Program arguments (process.argv.slice(2) inside the module). */
  readonly args: readonly string[];
  /** `-c`: an exported function to call with the arguments instead of relying on top-level code. */
  readonly entry?: string | undefined;
  /** Which execute() call of the program this job is (0 for the first): a program may run several jobs. */
  readonly executeIndex?: number | undefined;
  /** Default parallelism the client used (`-p`). */
  readonly parallelism?: number | undefined;
  /** Configuration the client used. */
  readonly configuration: Readonly<Record<string, string>>;
  /**
   * Max parallelism by vertex id that the job, not having set one, took from the snapshot it
   * restores (job-submission.ts); slot threads apply it to the graph they build.
   */
  readonly restoredMaxParallelism?: Readonly<Record<string, number>> | undefined;
}

/** One subtask to run. */
export interface TaskDeployment {
  /** The JobGraph vertex. */
  readonly vertexId: string;
  /** 0-based subtask index. */
  readonly subtaskIndex: number;
}

/** How a job checkpoints, as its tasks need to know. */
export interface TaskCheckpointing {
  /** Whether periodic checkpoints run (then tasks wait for a final checkpoint before finishing). */
  readonly enabled: boolean;
  /** EXACTLY_ONCE aligns barriers; AT_LEAST_ONCE does not. */
  readonly mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** How state files are compressed. */
  readonly compression: Compression;
  /** Where keyed state lives. */
  readonly stateBackend: 'hashmap' | 'leveldb';
  /** Local recovery (absent: off). */
  readonly localRecovery?: LocalRecoverySettings;
  /** Unaligned checkpoints (EXACTLY_ONCE only; absent: aligned): how long a checkpoint stays aligned before it switches, ms (0: unaligned from the start). */
  readonly unaligned?: { readonly timeoutMs: number };
}

/** Local recovery of a job (execution.checkpointing.local-backup.*, execution.state-recovery.from-local). */
export interface LocalRecoverySettings {
  /** Keep a local copy of each subtask's snapshot in its slot thread. */
  readonly backup: boolean;
  /** Restore from the local copy when it is the checkpoint restored. */
  readonly fromLocal: boolean;
  /** Root directories of LevelDB copies (none: the slot thread's temporary directory). */
  readonly dirs: readonly string[];
}

/** The state a deployment restores: handles by operator id, and where their files are. */
export interface RestoreSpec {
  /** The checkpoint or savepoint directory (undefined: all state inline). */
  readonly dir: string | undefined;
  /** The checkpoint's id. */
  readonly checkpointId: number;
  /** Whether it is a checkpoint or a savepoint (statistics only). */
  readonly kind?: 'checkpoint' | 'savepoint';
  /** Every handle of every operator the JobManager matched to this job's operators. */
  readonly handles: Readonly<Record<string, readonly StateHandle[]>>;
  /** Each operator's parallelism when the snapshot was taken (how operator state is redistributed). */
  readonly parallelism?: Readonly<Record<string, number>>;
  /** CLAIM mode: the new job owns the snapshot and deletes it once a newer checkpoint subsumes it. */
  readonly claimed?: boolean;
}

/** Main -> slot thread. */
export type ToSlot =
  | {
      readonly type: 'init';
      /** Global index of this slot thread. */
      readonly slotIndex: number;
      /** The TaskManager the slot belongs to. */
      readonly taskManagerId: string;
      /** Data-plane ports to the other slot threads, by their slot index. */
      readonly peers: ReadonlyArray<readonly [number, MessagePort]>;
      /** The log levels of the cluster's log4j set-up; none: the cluster keeps no logs (the thread logs nothing). */
      readonly logLevels?: LogLevels | undefined;
      /** Characters of stdio the thread posted and the JobManager has not written yet (an Int32 at 0). */
      readonly stdioPending?: SharedArrayBuffer;
      /** The counters of core/native-guard.ts shared with the owner (two Int32). */
      readonly nativeGuard?: SharedArrayBuffer;
    }
  | {
      readonly type: 'deploy';
      readonly jobId: string;
      /** Attempt number of the job (restarts increase it). */
      readonly attempt: number;
      readonly program: ProgramSpec;
      /** The JobGraph fingerprint the JobManager built; the slot thread must build the same. */
      readonly fingerprint: string;
      /** Slot index of every subtask, by vertex id. */
      readonly placement: Readonly<Record<string, readonly number[]>>;
      /** The subtasks this slot thread runs. */
      readonly tasks: readonly TaskDeployment[];
      /** Records limit per collect sink (executeAndCollect). */
      readonly bufferTimeout: number;
      /** Batches to a task in the same slot thread go by reference (`pipeline.local-exchange.by-reference`). */
      readonly localByReference: boolean;
      /** Whether chained operators share records without copying. */
      readonly objectReuse: boolean;
      readonly checkpointing: TaskCheckpointing;
      /** State to restore, if any. */
      readonly restore: RestoreSpec | undefined;
      /** The attempt's watermark table (watermark-table.ts), shared memory of every slot thread of the job and the JobManager. */
      readonly watermarks?: SharedArrayBuffer;
      /** The job's other attempts still running (regions not restarted): earlier attempts not among them have ended. */
      readonly liveAttempts?: readonly number[];
    }
  | {
      /** Start checkpoint `checkpointId` at these tasks (running sources, and tasks whose input ended). */
      readonly type: 'trigger-checkpoint';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
      readonly timestamp: number;
      readonly kind: 'checkpoint' | 'savepoint';
      /** Where state files go (undefined: JobManager memory, all inline). */
      readonly targetDir: string | undefined;
      readonly tasks: readonly TaskDeployment[];
      /** A stop-with-savepoint's savepoint: a source emits nothing after its barrier. */
      readonly stop: boolean;
    }
  | {
      readonly type: 'notify-checkpoint';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
      readonly outcome: 'complete' | 'aborted';
      /** Taken after every task's input ended: tasks may finish once it completed. */
      readonly final: boolean;
    }
  /** Cancels the attempt's tasks in the slot, or only `tasks` (a region's, in an attempt other regions still run). */
  | { readonly type: 'cancel'; readonly jobId: string; readonly attempt: number; readonly tasks?: readonly TaskDeployment[] }
  /** stop --drain: sources end their input now (the final watermark follows, timers fire). */
  | { readonly type: 'drain'; readonly jobId: string; readonly attempt: number }
  /** The stop's savepoint completed: tasks end FINISHED without ending their input (no final watermark). */
  | { readonly type: 'finish-stopped'; readonly jobId: string; readonly attempt: number }
  /** Frees the attempt's ended tasks and channels in the slot, or only those of `tasks` (a restarted region's); `jobEnded`: the job's local state copies go too. */
  | { readonly type: 'release'; readonly jobId: string; readonly attempt: number; readonly tasks?: readonly TaskDeployment[]; readonly jobEnded?: boolean }
  /** Asks for the thread's memory and GC counts (REST metrics). */
  | { readonly type: 'memory-stats'; readonly requestId: number; readonly collectGarbage?: boolean }
  /** Asks for the current values of every metric of the thread's tasks (REST, reporters). */
  | { readonly type: 'metric-dump'; readonly requestId: number }
  /** The JobManager's heartbeat: answered between records, so a thread that does not answer hangs. */
  | { readonly type: 'heartbeat'; readonly id: number }
  /** Slot thread `slot` was replaced: the data-plane port to its new thread. */
  | { readonly type: 'peer'; readonly slot: number; readonly port: MessagePort }
  /** Fault injection: the subtask throws InjectedFailure from its task loop at once. */
  | { readonly type: 'inject-failure'; readonly jobId: string; readonly attempt: number; readonly vertexId: string; readonly subtaskIndex: number; readonly message: string }
  /** Fault injection: the subtask's next `count` checkpoints decline in their asynchronous part (fail) or never acknowledge (stall). */
  | {
      readonly type: 'inject-checkpoint-fault';
      readonly jobId: string;
      readonly attempt: number;
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly kind: CheckpointFaultKind;
      readonly count: number;
    }
  | { readonly type: 'shutdown' };

/** How an injected checkpoint fault behaves: decline in the asynchronous part, or withhold the acknowledgement until the checkpoint times out. */
export type CheckpointFaultKind = 'fail' | 'stall';

/** Execution states a slot thread reports (Flink's ExecutionState names). */
export type ReportedState = 'INITIALIZING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** Slot thread -> main. */
export type FromSlot =
  | { readonly type: 'ready'; readonly slotIndex: number }
  | {
      readonly type: 'task-state';
      readonly jobId: string;
      readonly attempt: number;
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly state: ReportedState;
      readonly error?: SerializedError;
      /** Accumulator values when FINISHED. */
      readonly accumulators?: Readonly<Record<string, unknown>>;
      /** The task's final metric values, when it ended. */
      readonly metrics?: readonly MetricDump[];
    }
  | {
      readonly type: 'checkpoint-ack';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly handles: readonly StateHandle[];
      /** Duration of the synchronous part, ms. */
      readonly syncMs: number;
      /** Duration of the asynchronous part, ms. */
      readonly asyncMs: number;
      /** Time from the first to the last barrier, ms. */
      readonly alignmentMs: number;
      /** From the checkpoint's trigger to the subtask's first barrier (a source: the trigger's arrival), ms. */
      readonly startDelayMs: number;
      /** Bytes of input processed from the first barrier to the last. */
      readonly processedBytes?: number;
      /** Bytes of in-flight data stored (unaligned). */
      readonly persistedBytes?: number;
      /** Whether the subtask's checkpoint was unaligned. */
      readonly unaligned?: boolean;
    }
  | {
      readonly type: 'checkpoint-decline';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly error: SerializedError;
      /** Whether it counts toward the tolerable failures (Flink does not count a closing task's). */
      readonly counts: boolean;
    }
  | { readonly type: 'input-ended'; readonly jobId: string; readonly attempt: number; readonly vertexId: string; readonly subtaskIndex: number }
  /** A subtask restored its state: how many of its operators' snapshots came from the slot's local copy, how many from checkpoint storage. */
  | {
      readonly type: 'restored';
      readonly jobId: string;
      readonly attempt: number;
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly checkpointId: number;
      readonly local: number;
      readonly remote: number;
      readonly durationMs: number;
    }
  | { readonly type: 'deploy-failed'; readonly jobId: string; readonly attempt: number; readonly error: SerializedError }
  | {
      readonly type: 'collect';
      readonly jobId: string;
      readonly attempt: number;
      /** The collect sink's subtask. */
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly collectId: string;
      /** The last checkpoint whose barrier the sink had passed when it collected these. */
      readonly epoch: number;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'stdio'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  /** Lines for the TaskManager's log, in Flink's pattern. */
  | { readonly type: 'log'; readonly lines: readonly string[] }
  | { readonly type: 'memory-stats'; readonly requestId: number; readonly stats: MemoryStats }
  | { readonly type: 'metric-dump'; readonly requestId: number; readonly dumps: readonly MetricDump[] }
  | { readonly type: 'heartbeat'; readonly id: number };

/**
 * A channel is one producer subtask -> one consumer subtask on one job edge, within one attempt:
 * `<jobId>/<attempt>/<edgeId>/<producerSubtask>/<consumerSubtask>`.
 */
export function channelKey(jobId: string, attempt: number, edgeId: number, from: number, to: number): string {
  return `${jobId}/${attempt}/${edgeId}/${from}/${to}`;
}

/**
 * A channel key without its `<jobId>/<attempt>/` prefix: `<edgeId>/<producer>/<consumer>`, the same
 * across attempts (how an unaligned checkpoint's in-flight data names its channels).
 */
export function channelTail(key: string): string {
  return key.split('/').slice(2).join('/');
}

/** Slot thread <-> slot thread (and the local loop-back). */
export type DataMessage =
  /** A batch of records; with `ts`, the bytes hold [records, timestamps] (a timestamp per record, or null). */
  | { readonly t: 'buf'; readonly ch: string; readonly bytes: Uint8Array; readonly ts?: true }
  /** A batch of records handed over by reference within a slot thread (never sent to another thread). */
  | { readonly t: 'lbuf'; readonly ch: string; readonly batch: LocalBatch }
  /** A watermark, in band after the records before it (Flink's Watermark). */
  | { readonly t: 'wm'; readonly ch: string; readonly wm: number }
  /** The producer became idle (no watermarks for now) or active again (Flink's WatermarkStatus). */
  | { readonly t: 'status'; readonly ch: string; readonly idle: boolean }
  /** The producer has finished: no more buffers on this channel. */
  | { readonly t: 'eoi'; readonly ch: string }
  /** The consumer took `n` buffers off its queue: the producer may send `n` more. */
  | { readonly t: 'credit'; readonly ch: string; readonly n: number }
  /**
   * A checkpoint barrier, in band after every record of the checkpoint; `u`: an unaligned one,
   * which overtook the buffers queued before it (the consumer takes it before its queue too);
   * `sp`: a savepoint's (always aligned).
   */
  | { readonly t: 'barrier'; readonly ch: string; readonly id: number; readonly ts: number; readonly dir: string | undefined; readonly u?: true; readonly sp?: true };
