/**
 * Parses `bin/flink`-style arguments: options come before the job module, everything after it
 * belongs to the program. Options may be `-p 4`, `-p4`, `--parallelism 4`, `--parallelism=4` or,
 * as commons-cli's DefaultParser takes a long name after one dash, `-parallelism 4`.
 */

/** An option's spec. */
export interface OptionSpec {
  /** Short name without dash (`p`). */
  readonly short?: string;
  /** Long name without dashes (`parallelism`). */
  readonly long: string;
  /** Whether it takes a value. */
  readonly takesValue: boolean;
  /** Whether it may be repeated (values collected). */
  readonly repeatable?: boolean;
  /** The value may be left out (commons-cli's optional argument): then the option is `true`. */
  readonly optionalValue?: boolean;
  /** The value's name in the help (`-p,--parallelism <parallelism>`); `arg` when left out, as commons-cli. */
  readonly argName?: string;
  /** The help text (src/cli/help.ts prints it). */
  readonly description?: string;
  /** An option Flink's `bin/flink` does not have: the help marks it `(miniflink)`. */
  readonly miniflink?: boolean;
  /**
   * An option Flink's `bin/flink` has and miniflink does not: why (what to do instead). The
   * parser refuses it with Flink's `Unrecognized option` and this reason, rather than reading it
   * as some other option with a glued value (`-sae` as `-s ae`); the help does not list it.
   */
  readonly unsupported?: string;
}

/** Parsed arguments. */
export interface ParsedArgs {
  /** Option values by long name (`true` for flags). */
  readonly options: Record<string, string | true | string[]>;
  /** Positional arguments (the job module first, then the program's). */
  readonly positional: string[];
}

/** An argument error: printed with Flink's hint line. */
export class CliArgumentError extends Error {}

/** Parses arguments; stops taking options at the first positional one when `stopAtPositional`. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], stopAtPositional = true): ParsedArgs {
  const options: Record<string, string | true | string[]> = {};
  const positional: string[] = [];
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const set = (spec: OptionSpec, value: string | true) => {
    if (spec.repeatable) {
      const cur = options[spec.long];
      options[spec.long] = [...(Array.isArray(cur) ? cur : []), String(value)];
    } else options[spec.long] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (positional.length > 0 && stopAtPositional) {
      positional.push(a);
      continue;
    }
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      spec = byLong.get(eq > 0 ? a.slice(2, eq) : a.slice(2));
      if (eq > 0) inline = a.slice(eq + 1);
      if (!spec) throw new CliArgumentError(`Unrecognized option: ${a}`);
    } else if (a.startsWith('-') && a.length > 1) {
      // As commons-cli: a whole short name (-cm, -sae), else a whole long name (-detached), else
      // a one-letter option with a glued value (-p4).
      spec = byShort.get(a.slice(1)) ?? byLong.get(a.slice(1));
      if (!spec) {
        spec = byShort.get(a.slice(1, 2));
        if (spec && a.length > 2) inline = a.slice(2);
      }
      if (!spec) throw new CliArgumentError(`Unrecognized option: ${a}`);
    } else {
      positional.push(a);
      continue;
    }
    if (spec.unsupported !== undefined) {
      const names = spec.short !== undefined && spec.short !== spec.long ? `-${spec.short},--${spec.long}` : `-${spec.long}`;
      throw new CliArgumentError(`Unrecognized option: ${a}. miniflink does not support Flink's ${names}: ${spec.unsupported}.`);
    }
    if (!spec.takesValue) {
      if (inline !== undefined) throw new CliArgumentError(`Option ${a} takes no value`);
      set(spec, true);
    } else if (inline !== undefined) set(spec, inline);
    else {
      // As commons-cli: a following option is never taken as the value.
      const v = argv[i + 1];
      const isOption = (x: string) => (x.startsWith('--') ? byLong.has(x.slice(2).split('=')[0]!) : x.startsWith('-') && x.length > 1 && (byShort.has(x.slice(1)) || byLong.has(x.slice(1)) || byShort.has(x.slice(1, 2))));
      if (spec.optionalValue && (v === undefined || v.startsWith('-'))) set(spec, true);
      else if (v === undefined || isOption(v)) throw new CliArgumentError(`Missing argument for option: ${spec.short ? `-${spec.short}` : `--${spec.long}`}`);
      else {
        set(spec, v);
        i++;
      }
    }
  }
  return { options, positional };
}

/** A string option's value. */
export function stringOption(p: ParsedArgs, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable option's values. */
export function listOption(p: ParsedArgs, name: string): string[] {
  const v = p.options[name];
  return Array.isArray(v) ? v : [];
}
