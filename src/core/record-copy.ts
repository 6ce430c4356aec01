/**
 * Defensive copies between chained operators (Flink copies a record for the next operator unless
 * object reuse is on, so a function may keep or change what it was given), and of state values
 * the hashmap backend hands out while a snapshot still reads them. Primitives need no copy.
 *
 *   plain object        the function generated for its layout when the layout recurs (see
 *                       copyPlain), else key by key; nested objects copied. Only own enumerable
 *                       string keys, a key with a lone surrogate made U+FFFD (what msgpack keeps)
 *   null prototype      an object without prototype, key by key
 *   array               element by element
 *   registered class    the function generated for its field layout (pojo-types.ts): an instance
 *                       of the same class, made without its constructor, fields copied
 *   URL                 a new URL of its href
 *   Date Map Set        new ones of the same type, contents copied (Map keys too, as Flink's
 *   Buffer typed array  MapSerializer copies them); a Buffer stays a Buffer
 *   other class         a plain object of its own enumerable fields, with a warning naming the
 *                       class once per thread (as before: it has to be registered to keep its class)
 *   Error               a new one of the same name, message and cause (copied), as msgpackr
 *                       rebuilds one: its stack is new, other fields are not kept
 *   other built-in      structuredClone
 *
 * A record that cannot be copied (a function or symbol anywhere in it, a cycle) throws
 * MF_ERR_SERIALIZATION naming the bad part, as an exchange would fail on it.
 *
 * A copy is what an exchange's serialization and deserialization make of the record (serde.ts),
 * so that what a function receives does not depend on whether its input was chained, crossed
 * threads, or was handed over within a thread (`pipeline.local-exchange.by-reference`).
 */
import { MiniFlinkError } from './errors.js';
import { copyByLayout, defineField, kindOf, pojoTypeOf, pojoTypeOfConstructor, unregisteredClass, type PojoType } from './pojo-types.js';
import { describeRecord, unserializableReason } from './unserializable.js';
import { msgpackKey, wellFormed } from './utf16.js';

/**
 * A deep copy of a record that keeps the types of its parts. `operator` (for example
 * `'Map' (1/2)`, the operator whose output is copied) goes into the error message.
 *
 * Throws MF_ERR_SERIALIZATION when the record holds a function, a symbol or a cycle.
 */
export function copyRecord<T>(v: T, operator?: string, purpose = 'for the next operator'): T {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function' || typeof v === 'symbol') throw copyError(v, undefined, operator, purpose);
    return v;
  }
  try {
    // `constructor === Object` is the cheap test of a plain object (Object.getPrototypeOf costs
    // more where records of many shapes pass); what it lets through with another prototype has
    // no class to keep, and was copied to a plain object before too.
    if ((v as object).constructor === Object) return copyPlain(v) as T;
    const out = copyObject(v) as T;
    lastLayout = undefined;
    return out;
  } catch (e) {
    lastLayout = undefined;
    throw copyError(v, e, operator, purpose);
  }
}

function copyError(v: unknown, cause: unknown, operator: string | undefined, purpose: string): MiniFlinkError {
  const reason = unserializableReason(v, cause);
  const message = operator !== undefined ? `Operator ${operator}: Could not copy record ${describeRecord(v)} ${purpose}` : `Could not copy record ${describeRecord(v)}`;
  return new MiniFlinkError('MF_ERR_SERIALIZATION', `${message}: ${reason}`, { cause });
}

/** Copies an object (not null). Throws a plain TypeError or RangeError: copyRecord names the cause. */
function copyObject(v: object): unknown {
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const x: unknown = v[i];
      out[i] = typeof x === 'object' ? (x === null ? x : copyObject(x)) : typeof x === 'function' || typeof x === 'symbol' ? bad(x) : x;
    }
    return out;
  }
  const ctor: unknown = v.constructor;
  if (ctor === Object) return copyPlain(v);
  const guess = pojoTypeOfConstructor(ctor);
  if (guess !== undefined) {
    const o = copyByLayout(guess, v, copyObject);
    if (o !== undefined) return o;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Object.prototype) return copyPlain(v);
  if (proto === null) return spreadCopy(v, Object.create(null) as Record<string, unknown>);
  const type = pojoTypeOf(proto);
  if (type !== undefined) return copyPojo(type, v);
  return copyOther(v, proto);
}

/*
 * Plain objects: a copy function generated for each layout (own keys, in order) that recurs, which
 * copies about twice as fast as a spread and a pass over the nested values:
 *
 *   function copy(v) {
 *     let i = 0;
 *     for (const k in v) if (k !== K[i++]) return undefined;   // exactly these keys, in order
 *     if (i !== 2 || !hasOwn.call(v, "value")) return undefined;  // own ones (inherited come last)
 *     let a = v["key"], b = v["value"];
 *     if (typeof a === "object") { if (a !== null) a = nested(a); } else if (typeof a === "function" || typeof a === "symbol") bad(a);
 *     ...
 *     return { "key": a, "value": b };
 *   }
 *
 * The latest layouts (at most PLAIN_LAYOUTS) are tried in turn, the one that matched moves first.
 * A layout is generated once LAYOUT_AFTER records of it missed (layouts met among the misses are
 * counted, a few at a time), so one-off layouts cost no code generation; when a round of misses
 * outnumbers the hits meanwhile (records with keys of their own, such as a count per word),
 * layouts are given up in this thread and every plain object is spread, as before.
 */
const PLAIN_LAYOUTS = 8;
const LAYOUT_AFTER = 8;
const CANDIDATES = 8;
const MISSES_PER_ROUND = 1024;
const MAX_LAYOUT_KEYS = 64;
const plainLayouts: PlainLayout[] = [];
let layoutsOn = true;
let hits = 0;
let misses = 0;
/** Layouts met among the misses, with how often. */
const candidates: Array<{ keys: string[]; seen: number }> = [];

function copyPlain(v: object): object {
  if (layoutsOn) {
    const layouts = plainLayouts;
    for (let i = 0; i < layouts.length; i++) {
      const f = layouts[i]!;
      const o = f(v);
      if (o !== undefined) {
        hits++;
        if (i > 0) {
          // The layout that matched goes first: a stream's records mostly share one layout.
          layouts[i] = layouts[0]!;
          layouts[0] = f;
        }
        lastLayout = f;
        return o;
      }
    }
    missed(v);
  }
  const out = spreadCopy(v);
  lastLayout = undefined;
  return out;
}

/**
 * The copy function of the layout of the last record copyRecord copied (set last, after the
 * copies of its nested objects), when it was a plain object copied by a generated layout.
 */
let lastLayout: PlainLayout | undefined;

/** A generated copy of one plain-object layout: a copy, or undefined when `v` has other keys. Throws a plain error on a part that cannot be copied. */
export type PlainLayout = (v: object) => object | undefined;

/**
 * The layout copy function that copied the last record copyRecord copied, if any: a chained
 * output keeps it and tries it first on the next record (a plain object, `constructor === Object`),
 * one call where copyRecord takes three, falling back to copyRecord when it does not match or
 * throws (operator-chain.ts).
 */
export function lastPlainLayout(): PlainLayout | undefined {
  return lastLayout;
}

/** A plain object matched no layout: maybe generates one for its layout, maybe gives up layouts. */
function missed(v: object): void {
  if (++misses >= MISSES_PER_ROUND) {
    if (hits < misses) {
      layoutsOn = false;
      plainLayouts.length = 0;
      candidates.length = 0;
      return;
    }
    hits = 0;
    misses = 0;
  }
  const keys = Object.keys(v);
  const c = candidates.find((x) => sameKeys(x.keys, keys));
  if (c === undefined) {
    candidates.unshift({ keys, seen: 1 });
    if (candidates.length > CANDIDATES) candidates.length = CANDIDATES;
    return;
  }
  if (++c.seen < LAYOUT_AFTER) return;
  candidates.splice(candidates.indexOf(c), 1);
  const fn = generatePlainLayout(keys);
  if (fn === undefined) return;
  plainLayouts.unshift(fn);
  if (plainLayouts.length > PLAIN_LAYOUTS) plainLayouts.length = PLAIN_LAYOUTS;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function generatePlainLayout(keys: readonly string[]): ((v: object) => object | undefined) | undefined {
  // A `__proto__` key in an object literal would set the prototype; very wide objects stay spread.
  // A key with a lone surrogate becomes U+FFFD (spreadCopy), which a layout would not do.
  if (keys.length === 0 || keys.length > MAX_LAYOUT_KEYS || keys.includes('__proto__') || !keys.every(wellFormed)) return undefined;
  const vars = keys.map((_, i) => `x${i}`);
  const body = `"use strict";
return function copy(v) {
  let i = 0;
  for (const k in v) if (k !== K[i++]) return undefined;
  // Inherited enumerable keys come last in for...in: the last key must be the object's own.
  if (i !== ${keys.length} || !hasOwn.call(v, ${JSON.stringify(keys[keys.length - 1])})) return undefined;
  let ${keys.map((k, i) => `${vars[i]} = v[${JSON.stringify(k)}]`).join(', ')};
${vars.map((x) => `  if (typeof ${x} === "object") { if (${x} !== null) ${x} = nested(${x}); } else if (typeof ${x} === "function" || typeof ${x} === "symbol") bad(${x});`).join('\n')}
  return { ${keys.map((k, i) => `${JSON.stringify(k)}: ${vars[i]}`).join(', ')} };
};`;
  try {
    return (new Function('K', 'nested', 'bad', 'hasOwn', body) as (K: readonly string[], nested: (x: object) => unknown, bad: (x: unknown) => never, has: typeof hasOwn) => (v: object) => object | undefined)(keys, copyObject, bad, hasOwn);
  } catch {
    return undefined;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A plain object of the own enumerable string keys of `v` (not its symbols: msgpack has none),
 * key by key (as fast as a spread, which would keep symbols), nested values copied. A key with a
 * lone surrogate becomes U+FFFD, as msgpack's UTF-8 makes it: two such keys become one, the
 * later value kept in the first one's place.
 */
function spreadCopy(v: object, out: Record<string, unknown> = {}): Record<string, unknown> {
  for (let k in v) {
    if (!hasOwn.call(v, k)) continue;
    let x = (v as Record<string, unknown>)[k];
    if (typeof x === 'object') {
      if (x !== null) x = copyObject(x);
    } else if (typeof x === 'function' || typeof x === 'symbol') bad(x);
    k = msgpackKey(k);
    // An own `__proto__` key stays a key (an assignment would set the prototype).
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, writable: true, enumerable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

/** An instance of a registered class: the generated copy of its layout, else field by field. */
function copyPojo(type: PojoType, v: object): object {
  const o = copyByLayout(type, v, copyObject);
  if (o !== undefined) return o;
  const out = Object.create(type.prototype) as Record<string, unknown>;
  for (let k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    const c = typeof x === 'object' ? (x === null ? x : copyObject(x)) : typeof x === 'function' || typeof x === 'symbol' ? bad(x) : x;
    // A field name with a lone surrogate becomes U+FFFD, as serialized (see spreadCopy).
    k = msgpackKey(k);
    if (k in out) defineField(out, k, c);
    else out[k] = c;
  }
  return out;
}

/** Built-in types keep their type; an unregistered class becomes a plain object (with a warning). */
function copyOther(v: object, proto: object): unknown {
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(copyValue(k), copyValue(x));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    for (const x of v) out.add(copyValue(x));
    return out;
  }
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) return new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    return (v as unknown as Uint8Array).slice();
  }
  if (v instanceof ArrayBuffer) return v.slice(0);
  // A URL keeps its value in private fields: a spread of it would be an empty object.
  if (v instanceof URL) return new URL(v.href);
  const builtIn = kindOf(proto) === 'built-in';
  if (builtIn && v instanceof Error) return copyErrorValue(v);
  if (builtIn) return structuredClone(v);
  const type = unregisteredClass(proto);
  if (type !== undefined) return copyPojo(type, v);
  return spreadCopy(v);
}

const ERRORS: Record<string, ErrorConstructor | undefined> = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

/** An Error as msgpackr rebuilds one (its extension 0x65: name, message, cause; AggregateError's errors). */
function copyErrorValue(v: Error): Error {
  const cause = copyValue(v.cause);
  if (v.name === 'AggregateError' && v instanceof AggregateError) return new AggregateError(copyValue(v.errors) as unknown[], v.message, { cause });
  const E = ERRORS[v.name];
  if (E !== undefined) return E(v.message, { cause });
  const e = Error(v.message, { cause });
  e.name = v.name;
  return e;
}

function copyValue(x: unknown): unknown {
  return typeof x === 'object' ? (x === null ? x : copyObject(x)) : typeof x === 'function' || typeof x === 'symbol' ? bad(x) : x;
}

function bad(x: unknown): never {
  throw new TypeError(`a ${typeof x} cannot be copied`);
}
