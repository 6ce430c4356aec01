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
  option({ key: 'local.number-taskmanager', type: 'integer', defaultValue: '1', description: 'Number of TaskManagers of a local (embedded) cluster.', deprecatedKeys: ['local.number-taskmanagers'] }),
  option({ key: 'rest.address', type: 'string', defaultValue: '127.0.0.1', description: 'Address of the REST endpoint.' }),
  option({ key: 'rest.port', type: 'integer', defaultValue: '8081', description: 'Port of the REST endpoint and web UI.', deprecatedKeys: ['web.port'] }),
];

/** Deprecated key -> canonical key. */
export const DEPRECATED_KEYS: ReadonlyMap<string, string> = new Map(OPTIONS.flatMap((o) => (o.deprecatedKeys ?? []).map((d) => [d, o.key] as const)));
