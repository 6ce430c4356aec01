/**
 * A configuration option declared once: key, type, default, description, deprecated keys
 * (Flink's ConfigOption). The README's configuration table is generated from these declarations.
 */

/** The value type of an option. */
export type OptionType = 'integer' | 'double' | 'boolean' | 'duration' | 'string' | 'enum' | 'memory';

/**
 * Who reads an option: the job (its graph, checkpoints, restarts, state backend: Flink's job
 * configuration, which `run -m` sends with the job so that it runs as it would locally) or the
 * process that runs the cluster or the client (slots, REST, heartbeats, where `run` submits).
 */
export type OptionScope = 'job' | 'cluster';

/** One option. */
export interface ConfigOption {
  /** The canonical (Flink 2.0) key. */
  readonly key: string;
  /** The value type. */
  readonly type: OptionType;
  /** Default as Flink writes it, or undefined when unset by default. */
  readonly defaultValue: string | undefined;
  /** What it does. */
  readonly description: string;
  /** Who reads it (OptionScope). */
  readonly scope: OptionScope;
  /** Older keys still accepted, with a warning. */
  readonly deprecatedKeys?: readonly string[];
  /** Allowed values of an enum option (compared ignoring case, as Flink parses enums). */
  readonly values?: readonly string[];
  /** The least value of an integer option (option-values.ts refuses a smaller one). */
  readonly min?: number;
  /**
   * A file system path (or `file:` URI) a job's configuration sends to a cluster: the client makes
   * a relative one absolute against its own working directory first (absolutePaths), as `-t
   * local` would read it.
   */
  readonly path?: boolean;
}

/** Declares an option. */
export function option(o: ConfigOption): ConfigOption {
  return o;
}
