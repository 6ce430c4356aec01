/**
 * Keys by value: the canonical text of a key, its inverse, and what may be a key.
 *
 * A key selector returns a string, number, boolean, bigint or Date, or an array, plain object, Map
 * or Set built of those, nested at will. Two keys are one key when their canonical texts are
 * equal, so keys compare by value whatever their insertion orders:
 *
 *   value          canonical text                           notes
 *   -------------  ---------------------------------------  -------------------------------------
 *   string         "…" (JSON string)
 *   number         1.5  NaN  Infinity  -Infinity            -0 is written 0: one key, as Java's
 *                                                           Integer 0 (and msgpack sends -0 as 0)
 *   boolean, null  true  false  null                        null, undefined: only inside a key
 *   undefined      undefined                                kept apart from null and from absent
 *   bigint         123n  -5n
 *   Date           Date(1700000000000)                      epoch milliseconds
 *   array          [a,b]                                    a hole reads as undefined
 *   plain object   {"a":1,"b":2}                            own enumerable string keys, sorted
 *   Map            Map{k:v,k:v}                             entries sorted by their text
 *   Set            Set[a,b]                                 elements sorted by their text
 *   POJO instance  @"Name"{"a":1}                           a registered POJO type (pojo-types.ts):
 *                                                           its name, then its fields as an object
 *
 * For JSON data the text is JSON with sorted object keys, the canonical JSON that plain-object
 * keys were hashed by before Date, Map, Set and bigint had a form: their key groups stay put. The
 * text is self-delimiting (strings are quoted, everything else has no `,:]})` in it), so it never
 * reads two ways, and {@link parseKeyText} gives back a deep-equal key of the same types.
 *
 * What cannot be keyed by value throws MF_ERR_INVALID_KEY naming the part and why:
 * - a function or a symbol: no value to compare;
 * - a cycle: no finite value (a value shared twice without a cycle is fine); the walkers count
 *   depth instead of keeping the enclosing objects (no allocation per key), so a key nested deeper
 *   than MAX_KEY_DEPTH levels fails too;
 * - an invalid Date (`new Date(undefined)`): like a null key, almost surely a bug, and Java has none;
 * - an instance of a class that is not a registered POJO type (nor exported by the job module,
 *   which registers it), or of a built-in class other than those above (a boxed primitive, a
 *   typed array, RegExp, Error...): it has no value form that survives. It reaches the next task
 *   and a snapshot as a plain object (pojo-types.ts), so the same key would differ on each side
 *   and come back from a restore as another type. Flink likewise refuses keys without a value
 *   hashCode. Register the class, or return its fields as a plain object or an array.
 * A registered POJO instance keys by its class name and fields, and comes back as an instance.
 * Subclasses of Date, Map, Set and Array key (and come back) as their base class.
 */
import { inspect } from 'node:util';
import { MiniFlinkError } from './errors.js';
import { createPojo, kindOf, pojoTypeByName, pojoTypeOf, unknownClassName, unregisteredClass } from './pojo-types.js';

/**
 * Thrown inside the walkers of this file and java-hash.ts when a part cannot be keyed; the entry
 * points turn it into {@link invalidKeyError}, which walks the key again to name the part (so the
 * walkers build no paths on the per-record path).
 */
export const INVALID_KEY_PART: unique symbol = Symbol('invalid key part');

/** How deep objects may nest in a key; deeper is taken for a cycle (and named as one if it is). */
export const MAX_KEY_DEPTH = 100;

/** What an object inside a key is. */
export type KeyObjectKind = 'array' | 'plain' | 'date' | 'map' | 'set' | 'pojo' | 'invalid';

/**
 * Classifies an object inside a key: an invalid Date and instances of classes that are neither
 * registered POJO types nor the built-ins above are 'invalid'. A class the job module exports is
 * registered on the way (pojo-types.ts), as it would be when its instance crossed to another task.
 */
export function keyObjectKind(o: object): KeyObjectKind {
  if (Array.isArray(o)) return 'array';
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto === Object.prototype || proto === null) return 'plain';
  if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'invalid' : 'date';
  if (o instanceof Map) return 'map';
  if (o instanceof Set) return 'set';
  if (pojoTypeOf(proto) !== undefined) return 'pojo';
  return kindOf(proto) === 'class' && unregisteredClass(proto) !== undefined ? 'pojo' : 'invalid';
}

/** The fields of a plain object or POJO instance as text: {"a":1,"b":2}, names sorted. */
function writeFields(o: Record<string, unknown>, depth: number): string {
  const keys = Object.keys(o).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:${writeKeyText(o[keys[i]!], depth)}`;
  return `${s}}`;
}

/**
 * The canonical text of a key part at `depth` (the number of objects enclosing it); throws
 * INVALID_KEY_PART for a part that cannot be keyed, or nested deeper than MAX_KEY_DEPTH.
 */
export function writeKeyText(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      // String(-0) is '0'; NaN and ±Infinity keep their names (JSON has no form for them).
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `${v}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      break;
    default:
      throw INVALID_KEY_PART;
  }
  if (v === null) return 'null';
  if (++depth > MAX_KEY_DEPTH) throw INVALID_KEY_PART;
  switch (keyObjectKind(v)) {
    case 'array': {
      const a = v as unknown[];
      let s = '[';
      for (let i = 0; i < a.length; i++) s += (i === 0 ? '' : ',') + writeKeyText(a[i], depth);
      return `${s}]`;
    }
    case 'plain':
      return writeFields(v as Record<string, unknown>, depth);
    case 'pojo':
      return `@${JSON.stringify(pojoTypeOf(Object.getPrototypeOf(v) as object)!.name)}${writeFields(v as Record<string, unknown>, depth)}`;
    case 'date':
      return `Date(${(v as Date).getTime()})`;
    case 'map': {
      const entries: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) entries.push(`${writeKeyText(k, depth)}:${writeKeyText(x, depth)}`);
      return `Map{${entries.sort().join(',')}}`;
    }
    case 'set': {
      const elements: string[] = [];
      for (const x of v as Set<unknown>) elements.push(writeKeyText(x, depth));
      return `Set[${elements.sort().join(',')}]`;
    }
    default:
      throw INVALID_KEY_PART;
  }
}

/**
 * The canonical text of a key (table above): equal texts, equal keys.
 * Throws MF_ERR_INVALID_KEY when the key cannot be keyed by value.
 */
export function canonicalKeyText(key: unknown): string {
  try {
    return writeKeyText(key, 0);
  } catch (e) {
    if (e === INVALID_KEY_PART) throw invalidKeyError(key);
    throw e;
  }
}

/** Why a key part cannot be keyed, or undefined when it and its parts can. */
function findInvalidPart(v: unknown, path: string, stack: object[]): string | undefined {
  if (typeof v === 'function') return `${path} is a function`;
  if (typeof v === 'symbol') return `${path} is a symbol`;
  if (v === null || typeof v !== 'object') return undefined;
  if (stack.includes(v)) return `${path} refers back to an enclosing object (a cycle)`;
  if (stack.length >= MAX_KEY_DEPTH) return `${path} is nested more than ${MAX_KEY_DEPTH} levels deep`;
  let children: Array<[string, unknown]>;
  switch (keyObjectKind(v)) {
    case 'array':
      children = (v as unknown[]).map((x, i) => [`${path}[${i}]`, x]);
      break;
    case 'plain':
    case 'pojo':
      children = Object.keys(v).map((k) => [/^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, (v as Record<string, unknown>)[k]]);
      break;
    case 'date':
      return undefined;
    case 'map':
      children = [...(v as Map<unknown, unknown>)].flatMap(([k, x], i): Array<[string, unknown]> => [
        [`${path} (key of entry ${i})`, k],
        [`${path}.get(${show(k, 60)})`, x],
      ]);
      break;
    case 'set':
      children = [...(v as Set<unknown>)].map((x, i) => [`${path} (element ${i})`, x]);
      break;
    default:
      if (v instanceof Date) return `${path} is an invalid Date (its time is NaN)`;
      if (kindOf(Object.getPrototypeOf(v) as object) === 'built-in') return `${path} is an instance of the built-in ${className(v)}, which has no value form to compare (return a string, a number or an array of them instead)`;
      return `${path} is an instance of ${className(v)}, which is not a registered POJO type: register it (env.getConfig().registerPojoType(...)) so that its instances key by their fields, or return its fields as a plain object or an array`;
  }
  stack.push(v);
  for (const [p, x] of children) {
    const found = findInvalidPart(x, p, stack);
    if (found !== undefined) return found;
  }
  stack.pop();
  return undefined;
}

function className(o: object): string {
  const name: unknown = (o as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `class ${name}` : 'a class without a name';
}

/** A key for a message: short, on one line, cycles and symbols shown (never throws). */
function show(v: unknown, max = 200): string {
  let s: string;
  try {
    s = inspect(v, { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 80 });
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The MF_ERR_INVALID_KEY error for a key that cannot be keyed by value, naming the part and why. */
export function invalidKeyError(key: unknown): MiniFlinkError {
  const part = findInvalidPart(key, 'key', []) ?? 'key has no value form to compare';
  return new MiniFlinkError(
    'MF_ERR_INVALID_KEY',
    `Cannot use ${show(key)} as a key: ${part}. Keys are compared by value: a key is a string, number, boolean, bigint or Date, or an array, plain object, Map, Set or registered POJO type of those.`,
  );
}

// ---- the way back ----

/** Reads canonical key text; the text always comes from writeKeyText. */
class KeyTextReader {
  i: number;
  constructor(
    private readonly t: string,
    start: number,
  ) {
    this.i = start;
  }

  corrupt(): never {
    throw new MiniFlinkError('MF_ERR_INTERNAL', `Not a canonical key text at ${this.i}: ${JSON.stringify(this.t.slice(0, 200))} (this is a bug in miniflink)`);
  }

  expect(s: string): void {
    if (!this.t.startsWith(s, this.i)) this.corrupt();
    this.i += s.length;
  }

  /** Reads values separated by commas up to `close`, each read by `item`. */
  list(close: string, item: () => void): void {
    if (this.t[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      item();
      const c = this.t[this.i++];
      if (c === close) return;
      if (c !== ',') this.corrupt();
    }
  }

  value(): unknown {
    const t = this.t;
    switch (t[this.i]) {
      case '"': {
        let j = this.i + 1;
        for (;;) {
          const c = t.charCodeAt(j);
          if (c === 0x22) break;
          if (Number.isNaN(c)) this.corrupt();
          j += c === 0x5c ? 2 : 1;
        }
        const s = JSON.parse(t.slice(this.i, j + 1)) as string;
        this.i = j + 1;
        return s;
      }
      case '[': {
        this.i++;
        const a: unknown[] = [];
        this.list(']', () => a.push(this.value()));
        return a;
      }
      case '{':
        return this.fields();
      case '@': {
        this.i++;
        const name = this.value();
        if (typeof name !== 'string') this.corrupt();
        const fields = this.fields();
        const type = pojoTypeByName(name);
        if (type !== undefined) return createPojo(type, fields);
        // As serde.ts decodes a record of a class no one registered here: a plain object, warned.
        unknownClassName(name);
        return fields;
      }
      case 'D': {
        this.expect('Date(');
        const ms = Number(this.token());
        this.expect(')');
        return new Date(ms);
      }
      case 'M': {
        this.expect('Map{');
        const m = new Map<unknown, unknown>();
        this.list('}', () => {
          const k = this.value();
          this.expect(':');
          m.set(k, this.value());
        });
        return m;
      }
      case 'S': {
        this.expect('Set[');
        const s = new Set<unknown>();
        this.list(']', () => s.add(this.value()));
        return s;
      }
      default:
        return this.literal(this.token());
    }
  }

  /** A plain object: {"a":1,...}. */
  fields(): Record<string, unknown> {
    this.expect('{');
    const o: Record<string, unknown> = {};
    this.list('}', () => {
      const k = this.value();
      if (typeof k !== 'string') this.corrupt();
      this.expect(':');
      const x = this.value();
      // A key named __proto__ is an own property, as it was (assignment would set the prototype).
      if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
      else o[k] = x;
    });
    return o;
  }

  /** A number, bigint or name: the characters up to the next delimiter. */
  token(): string {
    const t = this.t;
    const start = this.i;
    let j = start;
    while (j < t.length && /[\w.+-]/.test(t[j]!)) j++;
    if (j === start) this.corrupt();
    this.i = j;
    return t.slice(start, j);
  }

  literal(tok: string): unknown {
    switch (tok) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'undefined':
        return undefined;
      case 'NaN':
        return NaN;
      case 'Infinity':
        return Infinity;
      case '-Infinity':
        return -Infinity;
      default:
        break;
    }
    if (tok.endsWith('n')) return BigInt(tok.slice(0, -1));
    const n = Number(tok);
    if (Number.isNaN(n)) this.corrupt();
    return n;
  }
}

/**
 * The key a canonical text stands for, read from `start`: the same types, deep-equal to the key
 * that was written. Throws MF_ERR_INTERNAL for a text that writeKeyText did not write.
 */
export function parseKeyText(text: string, start = 0): unknown {
  const r = new KeyTextReader(text, start);
  const v = r.value();
  if (r.i !== text.length) r.corrupt();
  return v;
}
