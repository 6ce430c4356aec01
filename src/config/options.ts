/**
 * Every configuration option miniflink reads, in one place (STYLE.md 3.6), with Flink's keys and
 * defaults. Later issues add their options here.
 */
import { option, type ConfigOption } from './config-option.js';

/** All options, in README order. */
export const OPTIONS: readonly ConfigOption[] = [
  option({ key: 'parallelism.default', type: 'integer', defaultValue: '1', description: 'Default parallelism of jobs submitted through the CLI (a job run directly uses the number of cores, as Flink\'s local environment).' }),
  option({ key: 'pipeline.max-parallelism', type: 'integer', defaultValue: undefined, description: "Default max parallelism (number of key groups); unset: Flink's rule min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)." }),
  option({ key: 'pipeline.operator-chaining.enabled', type: 'boolean', defaultValue: 'true', description: 'Chain operators into tasks (Flink\'s rules).', deprecatedKeys: ['pipeline.operator-chaining'] }),
  option({ key: 'pipeline.object-reuse', type: 'boolean', defaultValue: 'false', description: 'Pass records between chained operators without a defensive copy.' }),
  option({ key: 'execution.buffer-timeout.interval', type: 'duration', defaultValue: '100 ms', description: 'Longest time a partly filled network buffer waits before it is sent; 0 sends every record at once.', deprecatedKeys: ['execution.buffer-timeout'] }),
  option({ key: 'execution.target', type: 'enum', defaultValue: 'remote', values: ['local', 'remote'], description: 'Where `miniflink run` submits: an embedded cluster in the CLI process (local) or a running cluster (remote).' }),
  option({ key: 'taskmanager.numberOfTaskSlots', type: 'integer', defaultValue: '1', description: 'Slots per TaskManager; each slot is a worker thread. A local run without it gets as many slots as the job needs.' }),
  option({ key: 'slot.request.timeout', type: 'duration', defaultValue: '5 min', description: 'How long a job submitted to a cluster whose slots are taken waits for free ones (its subtasks SCHEDULED) before it fails.' }),
  option({ key: 'local.number-taskmanager', type: 'integer', defaultValue: '1', description: 'Number of TaskManagers of a local (embedded) cluster.', deprecatedKeys: ['local.number-taskmanagers'] }),
  option({ key: 'execution.checkpointing.interval', type: 'duration', defaultValue: undefined, description: 'Interval of periodic checkpoints; unset: none (unless the job calls enableCheckpointing).' }),
  option({ key: 'execution.checkpointing.mode', type: 'enum', defaultValue: 'EXACTLY_ONCE', values: ['EXACTLY_ONCE', 'AT_LEAST_ONCE'], description: 'Aligned barriers (exactly once) or not (at least once).' }),
  option({ key: 'execution.checkpointing.timeout', type: 'duration', defaultValue: '10 min', description: 'A checkpoint not completed by then is aborted.' }),
  option({ key: 'execution.checkpointing.min-pause', type: 'duration', defaultValue: '0 ms', description: 'Least time between the end of one checkpoint and the start of the next.' }),
  option({ key: 'execution.checkpointing.max-concurrent-checkpoints', type: 'integer', defaultValue: '1', description: 'Checkpoints in progress at once.' }),
  option({ key: 'execution.checkpointing.tolerable-failed-checkpoints', type: 'integer', defaultValue: '0', description: 'Consecutive failed checkpoints tolerated before the job fails.' }),
  option({ key: 'execution.checkpointing.externalized-checkpoint-retention', type: 'enum', defaultValue: 'NO_EXTERNALIZED_CHECKPOINTS', values: ['NO_EXTERNALIZED_CHECKPOINTS', 'RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION'], description: 'What happens to the latest checkpoint when the job ends (see the table below).' }),
  option({ key: 'execution.checkpointing.dir', type: 'string', defaultValue: undefined, description: 'Checkpoint directory (checkpoints go to <dir>/<jobId>/chk-<n>); unset: checkpoints stay in the JobManager\'s memory.', deprecatedKeys: ['state.checkpoints.dir', 'state.backend.fs.checkpointdir'] }),
  option({ key: 'execution.checkpointing.savepoint-dir', type: 'string', defaultValue: undefined, description: 'Default savepoint directory.', deprecatedKeys: ['state.savepoints.dir', 'savepoints.state.backend.fs.dir'] }),
  option({ key: 'execution.checkpointing.num-retained', type: 'integer', defaultValue: '1', description: 'Completed checkpoints kept; older ones are deleted.', deprecatedKeys: ['state.checkpoints.num-retained'] }),
  option({ key: 'execution.checkpointing.snapshot-compression', type: 'enum', defaultValue: 'false', values: ['true', 'false', 'none', 'lz4', 'snappy'], description: 'Compression of state files: true = snappy (as Flink), false = none, or lz4.' }),
  option({ key: 'state.backend.type', type: 'enum', defaultValue: 'hashmap', values: ['hashmap', 'leveldb'], description: 'Where keyed state lives: objects in memory, or LevelDB.', deprecatedKeys: ['state.backend'] }),
  option({ key: 'restart-strategy.type', type: 'enum', defaultValue: undefined, values: ['none', 'disable', 'off', 'fixed-delay', 'fixeddelay', 'failure-rate', 'failurerate', 'exponential-delay', 'exponentialdelay'], description: 'Restart strategy; unset: none without checkpointing, exponential-delay with it (Flink 1.19+).', deprecatedKeys: ['restart-strategy'] }),
  option({ key: 'restart-strategy.fixed-delay.attempts', type: 'integer', defaultValue: '1', description: 'Restarts allowed by fixed-delay.' }),
  option({ key: 'restart-strategy.fixed-delay.delay', type: 'duration', defaultValue: '1 s', description: 'Delay between fixed-delay restarts.' }),
  option({ key: 'rest.address', type: 'string', defaultValue: '127.0.0.1', description: 'Address of the REST endpoint.' }),
  option({ key: 'rest.port', type: 'integer', defaultValue: '8081', description: 'Port of the REST endpoint and web UI (0: any free port).', deprecatedKeys: ['web.port'] }),
  option({ key: 'rest.bind-address', type: 'string', defaultValue: undefined, description: 'Address the REST server binds to; unset: rest.address (127.0.0.1).' }),
  option({ key: 'rest.savepoint-dirs.allowed', type: 'string', defaultValue: undefined, description: 'More directories (separated by ; or ,) that savepoint paths in REST requests may lie in, besides the savepoint and checkpoint directories.' }),
  option({ key: 'web.upload.dir', type: 'string', defaultValue: '<tmp>/miniflink-web-upload', description: 'Where uploaded job modules are stored, as <uuid>_<name>.' }),
  option({ key: 'env.log.dir', type: 'string', defaultValue: '<tmp>/miniflink-log', description: 'Where `cluster start --daemon` writes its output and pid file.' }),
];

/** Deprecated key -> canonical key. */
export const DEPRECATED_KEYS: ReadonlyMap<string, string> = new Map(OPTIONS.flatMap((o) => (o.deprecatedKeys ?? []).map((d) => [d, o.key] as const)));
