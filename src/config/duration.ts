/**
 * Flink's duration and memory-size formats: `500 ms`, `10 s`, `1 min`, `2 h`, `1 d`; a bare number
 * is milliseconds. Sizes: `64 mb`, `1 gb`, `512 kb`, bare bytes.
 */
import { MiniFlinkError } from '../core/errors.js';

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6, nano: 1e-6, nanos: 1e-6, nanosecond: 1e-6, nanoseconds: 1e-6,
  us: 1e-3, micro: 1e-3, micros: 1e-3, microsecond: 1e-3, microseconds: 1e-3,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Parses a duration to milliseconds; throws naming the key on a bad value. */
export function parseDuration(text: string, key = 'duration'): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : DURATION_UNITS[unit];
  if (!m || factor === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse value '${text}' for key '${key}': expected a duration such as 500 ms, 10 s or 1 min`);
  return Number(m[1]) * factor;
}

const SIZE_UNITS: Record<string, number> = { b: 1, bytes: 1, k: 1024, kb: 1024, kibibytes: 1024, m: 1024 ** 2, mb: 1024 ** 2, mebibytes: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gibibytes: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Parses a memory size to bytes. */
export function parseMemorySize(text: string, key = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : SIZE_UNITS[unit];
  if (!m || factor === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse value '${text}' for key '${key}': expected a size such as 64 mb`);
  return Math.floor(Number(m[1]) * factor);
}
