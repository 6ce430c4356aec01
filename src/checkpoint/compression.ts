/**
 * Snapshot compression (`execution.checkpointing.snapshot-compression`): none, lz4 (lz4-napi) or
 * snappy (snappy, Flink's choice when the option is `true`).
 */
import { createRequire } from 'node:module';
import { MiniFlinkError } from '../core/errors.js';

/** A compression setting. */
export type Compression = 'none' | 'lz4' | 'snappy';

const require = createRequire(import.meta.url);
type Codec = { compressSync(b: Uint8Array): Uint8Array; uncompressSync(b: Uint8Array): Uint8Array };
let lz4: Codec | undefined;
let snappy: Codec | undefined;
const codec = (c: 'lz4' | 'snappy'): Codec => (c === 'lz4' ? (lz4 ??= require('lz4-napi') as Codec) : (snappy ??= require('snappy') as Codec));

/** Parses the option: Flink's true/false (true = snappy) or none, lz4, snappy. */
export function parseCompression(value: string | boolean | undefined): Compression {
  if (value === undefined || value === false) return 'none';
  if (value === true) return 'snappy';
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === 'none') return 'none';
  if (v === 'true' || v === 'snappy') return 'snappy';
  if (v === 'lz4') return 'lz4';
  throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse value '${value}' for key 'execution.checkpointing.snapshot-compression': expected true, false, none, lz4 or snappy`);
}

/** Compresses bytes. */
export function compress(bytes: Uint8Array, c: Compression): Uint8Array {
  return c === 'none' ? bytes : new Uint8Array(codec(c).compressSync(bytes));
}

/** Decompresses bytes. */
export function decompress(bytes: Uint8Array, c: Compression): Uint8Array {
  return c === 'none' ? bytes : new Uint8Array(codec(c).uncompressSync(bytes));
}
