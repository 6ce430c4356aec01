/**
 * Every configuration option miniflink reads, in one place (STYLE.md 3.6), with Flink's keys and
 * defaults. Later issues add their options here.
 */
import { option, type ConfigOption } from './config-option.js';

/** All options, in README order. */
export const OPTIONS: readonly ConfigOption[] = [
  option({ key: 'parallelism.default', min: 1, scope: 'job', type: 'integer', defaultValue: '1', description: 'Default parallelism of jobs submitted through the CLI (a job run directly uses the number of cores, as Flink\'s local environment).' }),
  option({ key: 'pipeline.max-parallelism', min: 1, scope: 'job', type: 'integer', defaultValue: undefined, description: "Default max parallelism (number of key groups); unset: Flink's rule min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)." }),
  option({ key: 'pipeline.operator-chaining.enabled', scope: 'job', type: 'boolean', defaultValue: 'true', description: 'Chain operators into tasks (Flink\'s rules).', deprecatedKeys: ['pipeline.operator-chaining'] }),
  option({ key: 'pipeline.slot-sharing.enabled', scope: 'job', type: 'boolean', defaultValue: 'true', description: "miniflink: false puts every task in a slot of its own (each job vertex its own slot-sharing group, as if each had slotSharingGroup() of its own), for comparing slot sharing with none (`miniflink bench --matrix slot-sharing=on,off`)." }),
  option({ key: 'pipeline.local-exchange.by-reference', scope: 'job', type: 'boolean', defaultValue: 'false', description: "miniflink: true hands the record batches of an exchange (keyBy, rebalance...) to a task in the same slot thread as they are, the producer's copies of its records, instead of serializing them (Flink serializes between any two tasks). Faster (no msgpackr packing and unpacking), with the same records arriving; numBytesIn/numBytesOut then count only the batches that crossed to another thread, and a batch is packed only when an unaligned checkpoint keeps it as in-flight data." }),
  option({ key: 'pipeline.object-reuse', scope: 'job', type: 'boolean', defaultValue: 'false', description: 'Pass records between chained operators without a defensive copy.' }),
  option({ key: 'pipeline.auto-watermark-interval', scope: 'job', type: 'duration', defaultValue: '200 ms', description: 'How often watermark generators emit periodically (onPeriodicEmit), in sources created with fromSource and in assignTimestampsAndWatermarks; 0 turns periodic watermarks off. ExecutionConfig.setAutoWatermarkInterval overrides it.' }),
  option({ key: 'execution.buffer-timeout.interval', scope: 'job', type: 'duration', defaultValue: '100 ms', description: 'Longest time a partly filled network buffer waits before it is sent; 0 sends every record at once.', deprecatedKeys: ['execution.buffer-timeout'] }),
  option({ key: 'execution.target', scope: 'cluster', type: 'enum', defaultValue: 'remote', values: ['local', 'remote'], description: 'Where `miniflink run` submits: an embedded cluster in the CLI process (local) or a running cluster (remote).' }),
  option({ key: 'taskmanager.numberOfTaskSlots', min: 1, scope: 'cluster', type: 'integer', defaultValue: '1', description: 'Slots per TaskManager; each slot is a worker thread. A local run without it gets as many slots as the job needs.' }),
  option({ key: 'heartbeat.interval', scope: 'cluster', type: 'duration', defaultValue: '10 s', description: 'How often the JobManager sends heartbeats to slot threads; a thread answers between records.' }),
  option({ key: 'heartbeat.timeout', scope: 'cluster', type: 'duration', defaultValue: '50 s', description: 'A slot thread that has not answered heartbeats for this long is taken as hung (a user function that blocks longer looks the same): it is terminated, its jobs fail over, and it is replaced.' }),
  option({ key: 'cluster.taskmanager.restart-delay', scope: 'cluster', type: 'duration', defaultValue: '1 s', description: 'miniflink: delay before a lost slot thread (or a whole TaskManager) is replaced, so that its jobs get their slots back (Flink\'s active resource managers do this; standalone Flink does not).' }),
  option({ key: 'slot.request.timeout', scope: 'cluster', type: 'duration', defaultValue: '5 min', description: 'How long a job submitted to a cluster whose slots are taken waits for free ones (its subtasks SCHEDULED) before it fails; a restarting job waits as long for a lost slot thread to be replaced.' }),
  option({ key: 'cluster.program-capture.timeout', scope: 'cluster', type: 'duration', defaultValue: '60 s', description: "miniflink: how long a cluster lets a submitted job module's top-level code run before it reaches the execute() call being submitted (its capture, which builds the job graph in the cluster process). Past it the submission fails and the next ones proceed; the module's code cannot be stopped and runs on in the cluster process. Flink's client.timeout has the same default." }),
  option({ key: 'task.cancellation.interval', scope: 'job', type: 'duration', defaultValue: '30 s', description: 'While a canceled task has not ended, the JobManager sends it cancel again this often and logs that it did not react.' }),
  option({ key: 'task.cancellation.timeout', scope: 'job', type: 'duration', defaultValue: '180 s', description: 'A canceled task that has not ended by then has its slot thread terminated and replaced (Flink kills the whole TaskManager); 0 disables it.' }),
  option({ key: 'local.number-taskmanager', min: 1, scope: 'cluster', type: 'integer', defaultValue: '1', description: 'Number of TaskManagers of a local (embedded) cluster.', deprecatedKeys: ['local.number-taskmanagers'] }),
  option({ key: 'execution.checkpointing.interval', scope: 'job', type: 'duration', defaultValue: undefined, description: 'Interval of periodic checkpoints; unset: none (unless the job calls enableCheckpointing).' }),
  option({ key: 'execution.checkpointing.mode', scope: 'job', type: 'enum', defaultValue: 'EXACTLY_ONCE', values: ['EXACTLY_ONCE', 'AT_LEAST_ONCE'], description: 'Aligned barriers (exactly once) or not (at least once).' }),
  option({ key: 'execution.checkpointing.timeout', scope: 'job', type: 'duration', defaultValue: '10 min', description: 'A checkpoint not completed by then is aborted.' }),
  option({ key: 'execution.checkpointing.min-pause', scope: 'job', type: 'duration', defaultValue: '0 ms', description: 'Least time between the end of one checkpoint and the start of the next.' }),
  option({ key: 'execution.checkpointing.max-concurrent-checkpoints', min: 1, scope: 'job', type: 'integer', defaultValue: '1', description: 'Checkpoints in progress at once. With unaligned checkpoints only 1, as in Flink (another value is refused).' }),
  option({ key: 'execution.checkpointing.unaligned.enabled', scope: 'job', type: 'boolean', defaultValue: 'false', description: 'Unaligned checkpoints (EXACTLY_ONCE only): a barrier overtakes the records queued in the input and output buffers of each task, which go into the checkpoint as in-flight data and are replayed in order on restore. Savepoints stay aligned.', deprecatedKeys: ['execution.checkpointing.unaligned'] }),
  option({ key: 'execution.checkpointing.aligned-checkpoint-timeout', scope: 'job', type: 'duration', defaultValue: '0 s', description: 'With unaligned checkpoints: 0 makes every checkpoint unaligned from the start; otherwise a checkpoint starts aligned, and a task whose alignment, or a barrier waiting in an output buffer, takes longer than this since the checkpoint began switches to unaligned.', deprecatedKeys: ['execution.checkpointing.alignment-timeout'] }),
  option({ key: 'execution.checkpointing.tolerable-failed-checkpoints', min: 0, scope: 'job', type: 'integer', defaultValue: '0', description: 'Consecutive failed checkpoints tolerated before the job fails.' }),
  option({ key: 'execution.checkpointing.externalized-checkpoint-retention', scope: 'job', type: 'enum', defaultValue: 'NO_EXTERNALIZED_CHECKPOINTS', values: ['NO_EXTERNALIZED_CHECKPOINTS', 'RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION'], description: 'What happens to the latest checkpoint when the job ends (see the table below).' }),
  option({ key: 'execution.checkpointing.dir', path: true, scope: 'job', type: 'string', defaultValue: undefined, description: 'Checkpoint directory (checkpoints go to <dir>/<jobId>/chk-<n>); unset: checkpoints stay in the JobManager\'s memory.', deprecatedKeys: ['state.checkpoints.dir', 'state.backend.fs.checkpointdir'] }),
  option({ key: 'execution.checkpointing.savepoint-dir', path: true, scope: 'job', type: 'string', defaultValue: undefined, description: 'Default savepoint directory.', deprecatedKeys: ['state.savepoints.dir', 'savepoints.state.backend.fs.dir'] }),
  option({ key: 'execution.checkpointing.num-retained', min: 1, scope: 'job', type: 'integer', defaultValue: '1', description: 'Completed checkpoints kept; older ones are deleted.', deprecatedKeys: ['state.checkpoints.num-retained'] }),
  option({ key: 'execution.checkpointing.snapshot-compression', scope: 'job', type: 'enum', defaultValue: 'false', values: ['true', 'false', 'none', 'lz4', 'snappy'], description: 'Compression of state files: true = snappy (as Flink), false = none, or lz4.' }),
  option({ key: 'state.backend.type', scope: 'job', type: 'enum', defaultValue: 'hashmap', values: ['hashmap', 'leveldb', 'rocksdb'], description: 'Where keyed state lives: objects in memory, or LevelDB (rocksdb: LevelDB stands in, with a warning).', deprecatedKeys: ['state.backend'] }),
  option({ key: 'jobmanager.execution.failover-strategy', scope: 'job', type: 'enum', defaultValue: 'region', values: ['region', 'full'], description: 'What a task failure restarts: region, only the pipelined regions of the failed tasks (a region is what its exchanges connect: an all-to-all exchange such as keyBy joins every subtask of both sides, a forward or rescale exchange only the subtasks it links); full, every task. A failure of no task (too many failed checkpoints, a failed deployment), one during a stop, and a job of one region restart every task.' }),
  option({ key: 'execution.checkpointing.local-backup.enabled', scope: 'job', type: 'boolean', defaultValue: 'false', description: "Each subtask's slot thread keeps a copy of the subtask's state of each checkpoint (the heap backend: the snapshot's frozen maps in memory; LevelDB: a database of the snapshot on local disk), kept until a newer checkpoint completes." }),
  option({ key: 'execution.state-recovery.from-local', scope: 'job', type: 'boolean', defaultValue: 'false', description: "A restarted subtask restores from its slot thread's local copy when it is the checkpoint being restored (checked against the checkpoint's checksum; a LevelDB copy's files against their own), at the same parallelism; otherwise, or when the copy is missing or corrupt, from checkpoint storage." }),
  option({ key: 'state.backend.local-recovery', scope: 'job', type: 'boolean', defaultValue: 'false', description: 'Flink 1.x: true sets both execution.checkpointing.local-backup.enabled and execution.state-recovery.from-local (unless they are set).' }),
  option({ key: 'execution.checkpointing.local-backup.dirs', scope: 'job', type: 'string', defaultValue: '<slot temporary directory>', description: "Where LevelDB local copies go (several separated by , or ;: slot threads take them in turn), under localState/<TaskManager>-slot<n>/; unset: the slot thread's temporary directory, removed with the thread.", deprecatedKeys: ['taskmanager.state.local.root-dirs'] }),
  option({ key: 'restart-strategy.type', scope: 'job', type: 'enum', defaultValue: undefined, values: ['none', 'disable', 'off', 'fixed-delay', 'fixeddelay', 'failure-rate', 'failurerate', 'exponential-delay', 'exponentialdelay'], description: 'Restart strategy; unset: none without checkpointing, exponential-delay with it (Flink 1.19+).', deprecatedKeys: ['restart-strategy'] }),
  option({ key: 'restart-strategy.fixed-delay.attempts', min: 0, scope: 'job', type: 'integer', defaultValue: '1', description: 'Restarts allowed by fixed-delay.' }),
  option({ key: 'restart-strategy.fixed-delay.delay', scope: 'job', type: 'duration', defaultValue: '1 s', description: 'Delay between fixed-delay restarts.' }),
  option({ key: 'restart-strategy.failure-rate.max-failures-per-interval', min: 0, scope: 'job', type: 'integer', defaultValue: '1', description: 'Failures allowed within the interval by failure-rate.' }),
  option({ key: 'restart-strategy.failure-rate.failure-rate-interval', scope: 'job', type: 'duration', defaultValue: '1 min', description: 'The interval failure-rate counts failures in.' }),
  option({ key: 'restart-strategy.failure-rate.delay', scope: 'job', type: 'duration', defaultValue: '1 s', description: 'Delay between failure-rate restarts.' }),
  option({ key: 'restart-strategy.exponential-delay.initial-backoff', scope: 'job', type: 'duration', defaultValue: '1 s', description: 'First delay of exponential-delay.' }),
  option({ key: 'restart-strategy.exponential-delay.max-backoff', scope: 'job', type: 'duration', defaultValue: '1 min', description: 'Largest delay of exponential-delay.' }),
  option({ key: 'restart-strategy.exponential-delay.backoff-multiplier', scope: 'job', type: 'double', defaultValue: '1.5', description: 'Factor between consecutive exponential-delay delays.' }),
  option({ key: 'restart-strategy.exponential-delay.reset-backoff-threshold', scope: 'job', type: 'duration', defaultValue: '1 h', description: 'A job that ran this long without failing starts again from the initial backoff.' }),
  option({ key: 'restart-strategy.exponential-delay.attempts-before-reset-backoff', min: 0, scope: 'job', type: 'integer', defaultValue: '2147483647', description: 'Restarts exponential-delay allows until its backoff resets (Flink 1.19+); then the job fails.' }),
  option({ key: 'restart-strategy.exponential-delay.jitter-factor', scope: 'job', type: 'double', defaultValue: '0.1', description: 'Random share added to or taken from each exponential-delay delay.' }),
  option({ key: 'execution.state-recovery.path', path: true, scope: 'job', type: 'string', defaultValue: undefined, description: 'Savepoint or retained checkpoint a job restores from (as `run -s`).', deprecatedKeys: ['execution.savepoint.path'] }),
  option({ key: 'execution.state-recovery.ignore-unclaimed-state', scope: 'job', type: 'boolean', defaultValue: 'false', description: 'Skip state that maps to no operator (as `run -n`).', deprecatedKeys: ['execution.savepoint.ignore-unclaimed-state'] }),
  option({ key: 'execution.state-recovery.claim-mode', scope: 'job', type: 'enum', defaultValue: 'NO_CLAIM', values: ['CLAIM', 'NO_CLAIM', 'LEGACY'], description: 'Who owns the snapshot restored from (as `run -cm`).', deprecatedKeys: ['execution.savepoint-restore-mode'] }),
  option({ key: 'rest.address', scope: 'cluster', type: 'string', defaultValue: '127.0.0.1', description: 'Address of the REST endpoint.' }),
  option({ key: 'rest.port', min: 0, scope: 'cluster', type: 'integer', defaultValue: '8081', description: 'Port of the REST endpoint and web UI (0: any free port).', deprecatedKeys: ['web.port'] }),
  option({ key: 'rest.bind-address', scope: 'cluster', type: 'string', defaultValue: undefined, description: 'Address the REST server binds to; unset: rest.address (127.0.0.1).' }),
  option({ key: 'rest.savepoint-dirs.allowed', scope: 'cluster', type: 'string', defaultValue: undefined, description: 'More directories (separated by ; or ,) that savepoint paths in REST requests may lie in, besides the savepoint and checkpoint directories.' }),
  option({ key: 'jobstore.max-capacity', min: 0, scope: 'cluster', type: 'integer', defaultValue: '2147483647', description: 'Finished jobs the cluster keeps (for REST and `list`); beyond it the oldest are forgotten.' }),
  option({ key: 'jobstore.expiration-time', min: 0, scope: 'cluster', type: 'integer', defaultValue: '3600', description: 'Seconds a finished job is kept after it ended; then it is forgotten.' }),
  option({ key: 'web.exception-history-size', min: 0, scope: 'cluster', type: 'integer', defaultValue: '16', description: "Failures each job's exception history keeps (`/jobs/:jobid/exceptions`), the newest." }),
  option({ key: 'metrics.fetcher.update-interval', scope: 'cluster', type: 'duration', defaultValue: '10 s', description: 'How old the task metrics REST serves may be: a metrics request fetches them anew from the slot threads when the last fetch is older (Flink\'s MetricFetcher). 0: every request fetches.' }),
  option({ key: 'metrics.job.status.enable', scope: 'cluster', type: 'string', defaultValue: 'CURRENT_TIME', description: 'Which job status metrics a job has, any of STATE (`<status>State`: 1 or 0), CURRENT_TIME (`<status>Time`: ms in the status now) and TOTAL_TIME (`<status>TimeTotal`), separated by ; or ,.' }),
  option({ key: 'metrics.reporters', scope: 'cluster', type: 'string', defaultValue: undefined, description: "Which configured metric reporters run (names, comma-separated); unset: every `metrics.reporter.<name>.factory.class`. A reporter's keys: `factory.class` (Flink's `org.apache.flink.metrics.prometheus.PrometheusReporterFactory` or `org.apache.flink.metrics.slf4j.Slf4jReporterFactory`), `port` (Prometheus: a port or a range, default 9249), `interval` (log reporter, default 10 s), `scope.variables.excludes` (labels left out, ;-separated)." }),
  option({ key: 'metrics.enabled', scope: 'job', type: 'boolean', defaultValue: 'true', description: 'miniflink, for benchmarks only: false runs the job without task and operator metrics (nothing is counted per record; REST then shows none).' }),
  option({ key: 'web.upload.dir', scope: 'cluster', type: 'string', defaultValue: '<tmp>/miniflink-web-<random>', description: 'Where uploaded job modules are stored, as <uuid>_<name>. Unset, a folder of the cluster\'s own that is removed when it stops (as Flink\'s web.tmpdir).' }),
  option({ key: 'rest.allowed-hosts', scope: 'cluster', type: 'string', defaultValue: undefined, description: "miniflink: more host names (separated by , or ;; `*`: any) that requests may name in their Host header, and whose pages may change the cluster (Origin), besides loopback names and the address the server listens on: the guard against DNS rebinding and other sites' pages. E.g. the host of a proxy serving Flink's own dashboard." }),
  option({ key: 'web.refresh-interval', scope: 'cluster', type: 'duration', defaultValue: '3 s', description: 'How often the web UI polls the REST API (`/config` tells it, as Flink\'s).' }),
  option({ key: 'env.log.dir', scope: 'cluster', type: 'string', defaultValue: '<tmp>/miniflink-log', description: "Where a cluster writes its logs: the JobManager's and each TaskManager's `.log` (rolled over by size), a daemon's `.out` files and pid file. An embedded run (`run -t local`) logs only when it is set." }),
  option({ key: 'env.log.max', min: 0, scope: 'cluster', type: 'integer', defaultValue: '10', description: 'Rolled-over log files kept per log (`.log.1` ... `.log.<n>`); a log rolls over at the log4j properties\' `appender.<a>.policies.size.size` (default 100MB).' }),
];

/**
 * Flink keys miniflink accepts but does not implement, each with what miniflink does instead; a
 * key set from config.yaml, -D or a jar run's flinkConfiguration logs a warning saying so. A key
 * ending in '.' stands for every key under it. A feature that implements a key removes it here
 * (and declares it in OPTIONS).
 */
export const NOT_IMPLEMENTED: ReadonlyMap<string, string> = new Map([
  ['execution.checkpointing.incremental', 'every checkpoint is a full snapshot'],
  ['state.backend.incremental', 'every checkpoint is a full snapshot'],
  ['metrics.reporter.', 'a reporter reads only factory.class, port, interval and scope.variables.excludes'],
  ['metrics.scope.', "metrics keep Flink's default scope formats"],
  ['execution.checkpointing.storage', 'checkpoints go to execution.checkpointing.dir when it is set, else to the JobManager\'s memory'],
  ['state.checkpoint-storage', 'checkpoints go to execution.checkpointing.dir when it is set, else to the JobManager\'s memory'],
  ['state.backend.rocksdb.', 'LevelDB stands in for RocksDB, with its own settings'],
  ['execution.runtime-mode', 'jobs run in STREAMING mode (bounded inputs end with a final watermark and checkpoint)'],
  ['taskmanager.memory.', "memory is V8's heap of each slot thread, not sized by configuration"],
  ['jobmanager.memory.', "memory is V8's heap of the cluster process, not sized by configuration"],
  ['env.java.opts', 'there is no JVM; use NODE_OPTIONS for the node process'],
  ['env.java.opts.', 'there is no JVM; use NODE_OPTIONS for the node process'],
  ['high-availability', 'there is no high availability: a cluster that stops forgets its jobs (retained checkpoints stay)'],
  ['high-availability.', 'there is no high availability: a cluster that stops forgets its jobs (retained checkpoints stay)'],
  ['classloader.', 'job modules are ES modules loaded by Node, not class-loaded'],
  ['pekko.', 'the JobManager and TaskManagers share one process; there is no RPC system to tune'],
  ['akka.', 'the JobManager and TaskManagers share one process; there is no RPC system to tune'],
  ['kubernetes.', 'miniflink runs on one machine only'],
  ['yarn.', 'miniflink runs on one machine only'],
  ['security.', 'there is no SSL, Kerberos or authentication: the REST endpoint serves plain HTTP to whoever can reach its bind address (rest.bind-address, else rest.address: 127.0.0.1 unless set)'],
  ['execution.checkpointing.create-subdir', 'checkpoints always go to a folder named after the job id under execution.checkpointing.dir'],
  ['state.checkpoints.create-subdir', 'checkpoints always go to a folder named after the job id under execution.checkpointing.dir'],
  ['web.submit.enable', 'job modules can always be uploaded and run over REST'],
  ['web.cancel.enable', 'jobs can always be canceled over REST'],
  ['web.rescale.enable', 'jobs can always be rescaled over REST'],
  ['web.checkpoints.history', 'the checkpoint statistics keep the last 10 checkpoints'],
  ['rest.async.store-duration', 'the result of an asynchronous operation (savepoint, stop, rescaling, disposal) is kept for 5 minutes'],
  ['rest.bind-port', 'the REST server binds rest.port'],
  ['web.address', 'the REST server binds rest.bind-address, else rest.address'],
  ['jobmanager.rpc.address', 'there is no RPC: the CLI and the REST server use rest.address'],
]);

/** Values of implemented keys that miniflink replaces, with what it uses instead. */
export const SUBSTITUTED_VALUES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([['state.backend.type', new Map([['rocksdb', 'LevelDB stands in for RocksDB (state.backend.type: leveldb)']])]]);

/** Deprecated key -> canonical key. */
export const DEPRECATED_KEYS: ReadonlyMap<string, string> = new Map(OPTIONS.flatMap((o) => (o.deprecatedKeys ?? []).map((d) => [d, o.key] as const)));
