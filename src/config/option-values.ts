/**
 * Checks configuration values by their option's declared type (options.ts), as Flink parses a
 * ConfigOption: a value that does not parse is refused wherever configuration enters (config.yaml,
 * -D, a jar run's flinkConfiguration) with Flink's words, `Could not parse value 'flase' for key
 * 'pipeline.operator-chaining.enabled'.`, before anything runs with it.
 */
import { MiniFlinkError } from '../core/errors.js';
import type { ConfigOption } from './config-option.js';
import { parseDuration, parseMemorySize } from './duration.js';
import { DEPRECATED_KEYS, OPTIONS } from './options.js';

const BY_KEY = new Map(OPTIONS.map((o) => [o.key, o]));

/** Flink's message for a value that does not parse, and what was expected. */
function unparsable(key: string, value: string, expected: string): MiniFlinkError {
  return new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse value '${value}' for key '${key}'. Expected ${expected}.`);
}

/** An integer value (Java's Integer.parseInt of the trimmed text); throws Flink's message naming the key. */
export function parseInteger(text: string, key: string): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw unparsable(key, text, 'an integer');
  return n;
}

/** A floating-point value (Java's Double.parseDouble); throws Flink's message naming the key. */
export function parseDouble(text: string, key: string): number {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) throw unparsable(key, text, 'a number');
  return n;
}

/** A boolean value: `true` or `false`, in any case (Flink's rule); throws Flink's message naming the key. */
export function parseBoolean(text: string, key: string): boolean {
  const t = text.trim().toLowerCase();
  if (t !== 'true' && t !== 'false') throw unparsable(key, text, 'true or false');
  return t === 'true';
}

/** Throws unless `value` is a valid value of the option (its type, its values, its least value). */
export function checkOptionValue(option: ConfigOption, key: string, value: string): void {
  switch (option.type) {
    case 'integer': {
      const n = parseInteger(value, key);
      if (option.min !== undefined && n < option.min) {
        throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Invalid value '${value}' for key '${key}': it must be at least ${option.min}.`);
      }
      return;
    }
    case 'double':
      parseDouble(value, key);
      return;
    case 'boolean':
      parseBoolean(value, key);
      return;
    case 'duration':
      try {
        parseDuration(value, key);
      } catch {
        throw unparsable(key, value, 'a duration such as 500 ms, 10 s or 1 min (a bare number is milliseconds)');
      }
      return;
    case 'memory':
      try {
        parseMemorySize(value, key);
      } catch {
        throw unparsable(key, value, 'a memory size such as 64 mb');
      }
      return;
    case 'enum': {
      const values = option.values ?? [];
      if (!values.some((v) => v.toLowerCase() === value.trim().toLowerCase())) throw unparsable(key, value, `one of ${values.join(', ')}`);
      return;
    }
    case 'string':
      return;
  }
}

/**
 * Checks every value of a configuration whose key (or deprecated key) miniflink declares; throws
 * MF_ERR_INVALID_ARGUMENT for the first that is invalid. Keys miniflink does not declare are
 * left to checkConfiguration's warnings.
 */
export function validateConfiguration(conf: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(conf)) {
    const option = BY_KEY.get(DEPRECATED_KEYS.get(key) ?? key);
    if (option !== undefined) checkOptionValue(option, key, value);
  }
}
