/**
 * From a program's pipeline to what the Dispatcher runs: the JobGraph plus the settings the
 * runtime needs, taken from the job's code first, then the configuration.
 */
import { describeRestartStrategy, type Pipeline } from '../api/index.js';
import { parseDuration } from '../config/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { newJobId } from '../core/ids.js';
import { generateJobGraph, generateStreamGraph, withMaxParallelism, type JobGraph } from '../graph/index.js';
import type { JobSubmission } from './jobmanager/job-master.js';
import type { ProgramSpec, RestoreSpec } from './protocol.js';
import { readMetadata, resolveCheckpointSettings, type CheckpointMetadata, type StateHandle } from '../checkpoint/index.js';
import { createRestartStrategy } from './jobmanager/restart-strategy.js';
import { generateStreamGraph as streamGraphOf } from '../graph/index.js';

/** Flink's default buffer timeout. */
const DEFAULT_BUFFER_TIMEOUT_MS = 100;

/** Builds the JobGraph of a pipeline. */
export function buildJobGraph(pipeline: Pipeline): JobGraph {
  return generateJobGraph(generateStreamGraph(pipeline.env, pipeline.jobName));
}

/** Where a new job restores from (`-s`, `-n`). */
export interface RestoreRequest {
  readonly savepointPath: string;
  readonly allowNonRestoredState: boolean;
  /** CLAIM, NO_CLAIM (default) or LEGACY (treated as NO_CLAIM). */
  readonly claimMode?: string | undefined;
}

/** Builds a submission for a pipeline whose program is known. */
export function buildSubmission(pipeline: Pipeline, program: Omit<ProgramSpec, 'parallelism' | 'configuration'>, restoreRequest?: RestoreRequest): JobSubmission {
  // compiledPath is set by the caller (compileProgram) before deployment.
  const env = pipeline.env;
  const conf = env.configuration;
  const stream = streamGraphOf(env, pipeline.jobName);
  const job = generateJobGraph(stream);
  const checkpoints = resolveCheckpointSettings(env.getCheckpointConfig(), conf, env.getConfig().getUseSnapshotCompression());
  const savepointPath = restoreRequest?.savepointPath ?? conf['execution.state-recovery.path'] ?? conf['execution.savepoint.path'];
  const allowNonRestored = restoreRequest?.allowNonRestoredState ?? ['true'].includes(conf['execution.state-recovery.ignore-unclaimed-state'] ?? conf['execution.savepoint.ignore-unclaimed-state'] ?? 'false');
  const timeoutText = conf['execution.buffer-timeout.interval'] ?? conf['execution.buffer-timeout'];
  const bufferTimeout = env.getBufferTimeout() ?? (timeoutText !== undefined ? parseDuration(timeoutText, 'execution.buffer-timeout.interval') : DEFAULT_BUFFER_TIMEOUT_MS);
  const submission: JobSubmission = {
    jobId: newJobId(),
    job,
    program: { ...program, parallelism: env.initialParallelism, configuration: conf },
    objectReuse: env.getConfig().isObjectReuseEnabled(),
    bufferTimeout,
    localByReference: conf['pipeline.local-exchange.by-reference']?.trim().toLowerCase() === 'true',
    collectLimits: new Map(env.collectLimits),
    checkpoints,
    restartStrategy: createRestartStrategy(env.getRestartStrategy(), conf, checkpoints.interval !== undefined),
    restartStrategyText: describeRestartStrategy(env.getRestartStrategy()),
    jobParallelism: env.getParallelism(),
    operators: new Map(stream.nodes.map((n) => [n.operatorId, { uid: n.uid, name: n.name }])),
    restore: undefined,
    stateBackend: resolveStateBackend(env.getStateBackend()?.type, conf['state.backend.type']),
  };
  if (savepointPath === undefined) return submission;
  return restoredSubmission(submission, savepointPath, allowNonRestored, restoreRequest?.claimMode ?? conf['execution.state-recovery.claim-mode'] ?? conf['execution.savepoint-restore-mode']);
}

/**
 * A submission restoring a checkpoint or savepoint: its restore spec, and its graph with the max
 * parallelism of every vertex that did not set one taken from the snapshot (as Flink's
 * StateAssignmentOperation does), recorded in the program so slot threads build the same graph.
 */
export function restoredSubmission(submission: JobSubmission, path: string, allowNonRestoredState: boolean, claimMode?: string, warn?: (m: string) => void): JobSubmission {
  const { metadata, dir } = readMetadata(path);
  const restoredMaxParallelism = maxParallelismFromSnapshot(submission.job, metadata, path);
  const job = withMaxParallelism(submission.job, restoredMaxParallelism);
  const restore = claim(matchOperators(metadata, dir, path, allowNonRestoredState, job, warn), claimMode);
  return { ...submission, job, program: { ...submission.program, restoredMaxParallelism }, restore };
}

/**
 * Max parallelism by vertex id that a job takes from a snapshot: that of its keyed state, for each
 * vertex whose max parallelism the job did not set. Refused, as in Flink, when the vertex's
 * parallelism is above it.
 */
export function maxParallelismFromSnapshot(job: JobGraph, metadata: CheckpointMetadata, path: string): Record<string, number> {
  const ops = new Map(job.vertices.flatMap((v) => v.operators.map((o) => [o.operatorId, v] as const)));
  const out: Record<string, number> = {};
  for (const op of metadata.operators) {
    const v = ops.get(op.operatorId);
    if (!v || v.maxParallelismConfigured || !op.handles.some((h) => h.keyGroupRange !== undefined)) continue;
    if (op.maxParallelism < v.parallelism) {
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `Failed to rollback to checkpoint/savepoint ${path}. The state for task ${v.name} (${v.id}) can not be restored. The maximum parallelism (${op.maxParallelism}) of the restored state is lower than the configured parallelism (${v.parallelism}). Please reduce the parallelism of the task to be lower or equal to the maximum parallelism.`,
      );
    }
    out[v.id] ??= op.maxParallelism;
  }
  return out;
}

/**
 * Matches a checkpoint's or savepoint's operators to the new job's by operator id (from the uid,
 * or generated): per operator, not per chain, so a job whose chaining changed still restores.
 * The job's max parallelism must be the snapshot's (restoredSubmission takes it from there when
 * the job did not set it).
 */
export function restoreFromPath(path: string, allowNonRestoredState: boolean, job: JobGraph, warn?: (m: string) => void): RestoreSpec {
  const { metadata, dir } = readMetadata(path);
  return matchOperators(metadata, dir, path, allowNonRestoredState, job, warn);
}

function matchOperators(metadata: CheckpointMetadata, dir: string, path: string, allowNonRestoredState: boolean, job: JobGraph, warn: (m: string) => void = (m) => console.warn(m)): RestoreSpec {
  const ops = new Map(job.vertices.flatMap((v) => v.operators.map((o) => [o.operatorId, v] as const)));
  const handles: Record<string, StateHandle[]> = {};
  const parallelism: Record<string, number> = {};
  for (const op of metadata.operators) {
    if (op.handles.length === 0) continue;
    const v = ops.get(op.operatorId);
    if (!v) {
      if (allowNonRestoredState) continue;
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `Failed to rollback to checkpoint/savepoint ${path}. Cannot map checkpoint/savepoint state for operator ${op.operatorId} (${op.name}${op.uid ? `, uid '${op.uid}'` : ''}) to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI.`,
      );
    }
    if (op.handles.some((h) => h.keyGroupRange !== undefined) && op.maxParallelism !== v.maxParallelism) {
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `Failed to rollback to checkpoint/savepoint ${path}. The maximum parallelism (${v.maxParallelism}) of the restored job is not identical to the maximum parallelism (${op.maxParallelism}) of operator ${op.name} (${op.operatorId}) in the checkpoint: keyed state cannot be redistributed to a different number of key groups.`,
      );
    }
    for (const h of op.handles) {
      if (h.file !== undefined && !existsSync(join(dir, h.file))) {
        throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore from ${path}: the state file ${join(dir, h.file)} is missing`);
      }
    }
    if (op.uid === undefined) {
      warn(`Restoring the state of operator '${op.name}' (${op.operatorId}) by its generated id: set uid() on stateful operators, or a change to the program may stop their state from restoring.`);
    }
    handles[op.operatorId] = op.handles;
    parallelism[op.operatorId] = op.parallelism;
  }
  // In-flight data of an unaligned checkpoint belongs to the channels it was taken with.
  const inFlight = Object.values(handles).some((hs) => hs.some((h) => (h.inFlightBytes ?? 0) > 0));
  if (inFlight) {
    const changed = metadata.operators.filter((op) => ops.has(op.operatorId) && ops.get(op.operatorId)!.parallelism !== op.parallelism).map((op) => `${op.name} (${op.parallelism} -> ${ops.get(op.operatorId)!.parallelism})`);
    if (changed.length > 0) {
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `Cannot restore from ${path}: it holds in-flight data of an unaligned checkpoint, which miniflink restores only at the parallelism it was taken at, and the parallelism changed: ${changed.join(', ')}. Restore it at the same parallelism, or take a savepoint (always aligned) to rescale.`,
      );
    }
  }
  return { dir, checkpointId: metadata.checkpointId, kind: metadata.kind, handles, parallelism };
}

/** The program path of a pipeline, or a clear error. */
export function requireProgramPath(pipeline: Pipeline): string {
  if (!pipeline.programPath) {
    throw new MiniFlinkError(
      'MF_ERR_INVALID_PROGRAM',
      'Could not tell which module built this job: slot threads load the job module again to get its functions. Run the job as a module (npx tsx job.ts, node job.js, or miniflink run job.ts).',
    );
  }
  return pipeline.programPath;
}

/** The state backend: code first, then `state.backend.type`. */
function resolveStateBackend(code: string | undefined, conf: string | undefined): 'hashmap' | 'leveldb' {
  const t = (code ?? conf ?? 'hashmap').trim().toLowerCase();
  if (t === 'hashmap' || t === 'leveldb') return t;
  if (t === 'rocksdb') return 'leveldb';
  throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Unknown state backend '${t}' (state.backend.type): expected hashmap or leveldb`);
}

function claim(spec: RestoreSpec, mode: string | undefined): RestoreSpec {
  return mode?.trim().toUpperCase() === 'CLAIM' ? { ...spec, claimed: true } : spec;
}
