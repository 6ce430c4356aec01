/**
 * A configuration option declared once: key, type, default, description, deprecated keys
 * (Flink's ConfigOption). The README's configuration table is generated from these declarations.
 */

/** The value type of an option. */
export type OptionType = 'integer' | 'boolean' | 'duration' | 'string' | 'enum' | 'memory';

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
  /** Older keys still accepted, with a warning. */
  readonly deprecatedKeys?: readonly string[];
  /** Allowed values of an enum option. */
  readonly values?: readonly string[];
}

/** Declares an option. */
export function option(o: ConfigOption): ConfigOption {
  return o;
}
