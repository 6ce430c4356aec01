/**
 * runtime: the JobManager (dispatcher, job masters), the TaskManagers (slot threads, tasks,
 * operator chains) and the network between them. The core type is MiniCluster.
 */
export { MiniCluster, type MiniClusterOptions, type TaskManagerInfo } from './minicluster.js';
export { LocalExecutor, type ProgramOverrides } from './local-executor.js';
export { Dispatcher } from './jobmanager/dispatcher.js';
export { JobMaster, type JobSubmission, type PriorAttempt, type SubtaskInfo } from './jobmanager/job-master.js';
export type { FailureEntry } from './jobmanager/failover.js';
export { buildJobGraph, buildSubmission } from './job-submission.js';
export { captureProgram, runProgram, registerJobLoader, resolveProgramPath, NO_JOB } from './program/program-loader.js';
export type { ProgramSpec } from './protocol.js';
export { compileProgram, discardCompiledProgram } from './program/program-compiler.js';
export { StandaloneCluster, type ProgramRun } from './standalone-cluster.js';
export { ClusterLogs, clusterLogOptions, type ClusterLogOptions } from './cluster-logs.js';
export { COLLECT_ACCUMULATOR, decodeResults, encodeResults, EXECUTE_INDEX_KEY, type RemoteResults } from './remote-results.js';
export { memoryStats, sumMemoryStats, watchGarbageCollection, type MemoryStats } from './memory-stats.js';
export { combinations, MATRIX_DIMENSIONS, runSchedulingBench, svgChart, type Combination, type Row, type SchedulingBenchRequest } from './scheduling-bench.js';
