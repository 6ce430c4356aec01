/**
 * Record classes that keep their class (Flink's POJO types): a registered class's instances stay
 * instances of it through chain copies (record-copy.ts), exchanges, state and snapshots (serde.ts,
 * which writes them with one msgpackr extension: `[class name, fields]`).
 *
 * The registry is per thread. Every thread that handles records runs the job module (slot threads
 * and a cluster's JobManager in capture mode, the client for real), and the module registers its
 * classes there with `env.getConfig().registerPojoType(Cls)`, so each thread maps the same names to
 * its own constructors. A class is known on the wire by its name, never by a number given in
 * registration order: a savepoint written by one job restores in a job that registers its classes
 * in another order, or registers more of them.
 *
 *   by prototype (WeakMap)  instance -> PojoType   encoding and copying: Object.getPrototypeOf(v)
 *   by name (Map)           name -> PojoType       decoding: the latest registration of a name wins
 *                                                  (a restarted attempt loads a fresh module instance,
 *                                                  whose classes replace the previous ones)
 *
 * Instances are made without calling the constructor (Object.create(prototype), then the fields),
 * as Flink's PojoSerializer makes them without arguments and sets the fields: state kept outside
 * the instance's own enumerable properties is not carried. A class with `#private` instance members
 * (its own or inherited), which no copy could carry, is refused at registration with
 * MF_ERR_SERIALIZATION (private-members.ts); so is one the job module exports, at its first copy.
 *
 * Two different classes registered under one name by one job would decode as each other: the
 * job's SerializerConfig refuses the second (execution-config.ts), and two classes of one name
 * that the job module exports are refused when one is first looked up.
 *
 * Instances of other classes (neither registered nor built in) become plain objects of their own
 * enumerable fields, as they always did; the first time one crosses a boundary in a thread, a
 * warning names the class and the fix.
 */
import { checkArgument, MiniFlinkError } from './errors.js';
import { privateMembersOf } from './private-members.js';
import { wellFormed } from './utf16.js';

/** A registered record class. */
export interface PojoType {
  /** The name the class is known by on the wire (its `name` unless registered under another). */
  readonly name: string;
  /** The class. */
  readonly ctor: abstract new (...args: never[]) => unknown;
  /** Its prototype: instances are exactly the objects whose prototype this is. */
  readonly prototype: object;
  /** Generated deep copies, one per field layout met so far (record-copy.ts). */
  readonly copiers: Layout[];
  /** Generated makers of instances from decoded fields, one per field layout met so far (serde.ts). */
  readonly creators: Layout[];
  /** The name as a msgpack string, once serde.ts wrote one. */
  encodedName?: Uint8Array;
}

/** A function generated for one field layout of a class: the own enumerable keys, in order. */
export interface Layout {
  /** The keys, in order. */
  readonly keys: readonly string[];
  /** The copy (or instance) for an object of exactly this layout, or undefined for another layout. */
  readonly fn: (v: object) => object | undefined;
}

/** How many layouts of one class get generated functions; more go through the generic path. */
const MAX_LAYOUTS = 8;

const byPrototype = new WeakMap<object, PojoType>();
const byConstructor = new WeakMap<object, PojoType>();
const byName = new Map<string, PojoType>();

// The last lookups and their answers, by prototype, constructor and name: records of a stream
// mostly share their class. Registration clears them.
let lastPrototype: object | undefined;
let lastType: PojoType | undefined;
let lastConstructor: unknown;
let lastConstructorType: PojoType | undefined;
let lastName: string | undefined;
let lastNameType: PojoType | undefined;

/** Classes of the ECMAScript and Node runtime that record-copy.ts and msgpackr handle themselves. */
const BUILT_INS: ReadonlyArray<abstract new (...args: never[]) => unknown> = [
  Array,
  Map,
  Set,
  WeakMap,
  WeakSet,
  Date,
  RegExp,
  Error,
  ArrayBuffer,
  SharedArrayBuffer,
  DataView,
  Object.getPrototypeOf(Uint8Array) as abstract new () => unknown,
  Promise,
  Boolean,
  Number,
  String,
];

/**
 * Registers a record class under a name (its own `name` by default). Registering the same class
 * again under the same name does nothing.
 *
 * Throws MF_ERR_INVALID_ARGUMENT when `cls` is not a class, extends a built-in collection
 * (Map, Set, Array, Date, ...: their contents are not fields), or is already registered under
 * another name; MF_ERR_SERIALIZATION when it has `#private` instance members.
 */
export function registerPojoType(cls: abstract new (...args: never[]) => unknown, name: string = (cls as { name?: string })?.name ?? ''): PojoType {
  checkArgument(typeof cls === 'function' && typeof cls.prototype === 'object' && cls.prototype !== null, `registerPojoType takes a class, got ${describe(cls)}`);
  checkArgument(typeof name === 'string' && name.length > 0, `registerPojoType: the class ${describe(cls)} has no name; pass one: registerPojoType(cls, 'Name')`);
  const proto = cls.prototype as object;
  const builtIn = BUILT_INS.find((b) => proto === b.prototype || proto instanceof b);
  checkArgument(builtIn === undefined, `registerPojoType: ${name} is or extends the built-in ${builtIn?.name}, whose contents are not fields; records of built-in types keep their type without registration`);
  const known = byPrototype.get(proto);
  if (known !== undefined) {
    checkArgument(known.name === name, `registerPojoType: the class ${known.name} is already registered under the name '${known.name}', not '${name}'`);
    byName.set(name, known);
    lastName = undefined;
    return known;
  }
  const hidden = privateMembersOf(cls);
  if (hidden.length > 0) {
    throw new MiniFlinkError(
      'MF_ERR_SERIALIZATION',
      `The class ${name} has the ECMAScript private member${hidden.length > 1 ? 's' : ''} ${hidden.join(', ')}, which no copy or serialization can carry: ` +
        `its instances would lose ${hidden.length > 1 ? 'them' : 'it'} between operators, between tasks and in state (and methods that use ${hidden.length > 1 ? 'them' : 'it'} would throw). ` +
        "Use ordinary fields in records and state (TypeScript's `private` keyword is fine), as Flink's POJO rules want fields a serializer can reach.",
    );
  }
  const type: PojoType = { name, ctor: cls, prototype: proto, copiers: [], creators: [] };
  byPrototype.set(proto, type);
  byConstructor.set(cls, type);
  lastName = undefined;
  lastPrototype = undefined;
  lastConstructor = undefined;
  byName.set(name, type);
  kinds.delete(proto);
  return type;
}

/** The registered type whose instances have this prototype, if any. */
export function pojoTypeOf(proto: object): PojoType | undefined {
  if (proto === lastPrototype) return lastType;
  lastType = byPrototype.get(proto);
  lastPrototype = proto;
  return lastType;
}

/** The registered type of this name; looks in the job module's exports when none is registered. */
export function pojoTypeByName(name: string): PojoType | undefined {
  if (name === lastName && lastNameType !== undefined) return lastNameType;
  const type = byName.get(name) ?? fromJobExports((c) => c.name === name, name);
  lastName = name;
  lastNameType = type;
  return type;
}

/**
 * The registered type of a class, by the `constructor` an instance inherits: cheaper than
 * Object.getPrototypeOf where objects of many shapes pass, but only a guess (an object may say
 * anything in `constructor`): the functions generated for a type check the prototype themselves.
 */
export function pojoTypeOfConstructor(ctor: unknown): PojoType | undefined {
  if (ctor === lastConstructor) return lastConstructorType;
  lastConstructorType = typeof ctor === 'function' ? byConstructor.get(ctor) : undefined;
  lastConstructor = ctor;
  return lastConstructorType;
}

/** Every registered type (a name registered again counts once, with its latest class). */
export function registeredPojoTypes(): PojoType[] {
  return [...byName.values()];
}

/** What kind of object a prototype makes (cached per prototype; registered types are looked up first). */
export type ObjectKind = 'built-in' | 'class';

const kinds = new WeakMap<object, ObjectKind>();

/**
 * Whether objects with this prototype (not Object.prototype, not null, not registered) are of a
 * built-in type or of a user class. A class exported by the job module is registered on the way.
 */
export function kindOf(proto: object): ObjectKind {
  let k = kinds.get(proto);
  if (k === undefined) {
    k = BUILT_INS.some((b) => proto === b.prototype || proto instanceof b) || isNative(proto) ? 'built-in' : 'class';
    kinds.set(proto, k);
  }
  return k;
}

/** Whether the prototype's constructor is implemented natively (Intl objects and such). */
function isNative(proto: object): boolean {
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function') return false;
  try {
    return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(ctor));
  } catch {
    return false;
  }
}

/**
 * An instance of a class that is neither registered nor built in is about to cross a boundary:
 * registers the class when the job module exports it (and returns its type), otherwise warns once
 * per class name in this thread and returns undefined (the caller makes a plain object of it).
 */
export function unregisteredClass(proto: object): PojoType | undefined {
  if (!unexported.has(proto)) {
    // Only the class the prototype names itself: an old-style subclass inherits its parent's `constructor`.
    const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
    const found = typeof ctor === 'function' ? fromJobExports((c) => c === ctor, String((ctor as { name?: string }).name ?? '')) : undefined;
    if (found !== undefined && found.prototype === proto) return found;
    unexported.add(proto);
  }
  const name = className(proto);
  if (!warnedClasses.has(name)) {
    warnedClasses.add(name);
    warn(
      `miniflink: records of class ${name} are not of a registered POJO type, so they become plain objects ` +
        `(without the class and its methods) when copied between chained operators, sent to another task, ` +
        `or kept in state (the hashmap backend holds the instance until a restore, LevelDB until it leaves its cache). Register the class in the job: env.getConfig().registerPojoType(${name}).`,
    );
  }
  return undefined;
}

/** Prototypes of classes that no job module exports (forgotten when a module's exports arrive). */
let unexported = new WeakSet<object>();

/** A record of a class that no one registered under that name in this thread was decoded: warns once per name. */
export function unknownClassName(name: string): void {
  if (warnedNames.has(name)) return;
  warnedNames.add(name);
  warn(
    `miniflink: records of class ${name} arrived, but no class is registered under that name in this thread, ` +
      `so they are decoded as plain objects. Register the class in the job: env.getConfig().registerPojoType(${name}).`,
  );
}

const warnedClasses = new Set<string>();
const warnedNames = new Set<string>();
let warn = (message: string): void => console.warn(message);

/** Replaces where warnings go (tests); returns the previous function. */
export function setPojoWarningSink(sink: (message: string) => void): (message: string) => void {
  const previous = warn;
  warn = sink;
  return previous;
}

/** Forgets which classes were warned about (tests). */
export function resetPojoWarnings(): void {
  warnedClasses.clear();
  warnedNames.clear();
}

/** A class's name for messages (a prototype that does not name its class is a subclass of what it inherits). */
function className(proto: object): string {
  const own = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined;
  const ctor = own ?? (proto as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : '(anonymous class)';
  return own === undefined && ctor !== undefined ? `(a subclass of ${name})` : name;
}

const jobExports: Array<() => Readonly<Record<string, unknown>>> = [];

/**
 * Makes the classes a job module exports known without registration: `exports` returns the module's
 * namespace (or an object of its exports), and is called only when a class is looked up, so a
 * module may hand it over before its classes are defined. The latest module wins (a restarted
 * attempt loads a fresh module instance).
 */
export function addJobExports(exports: () => Readonly<Record<string, unknown>>): void {
  unexported = new WeakSet();
  jobExports.unshift(exports);
  if (jobExports.length > 4) jobExports.length = 4;
}

// A compiled job bundle can hand its exports over before its top-level code awaits execute() (the
// namespace of a module is out of reach until its evaluation ends): the hook it calls.
(globalThis as Record<symbol, unknown>)[Symbol.for('miniflink.addJobExports')] = addJobExports;

/** Registers and returns the first class exported by a job module that matches. */
function fromJobExports(match: (cls: abstract new (...args: never[]) => unknown) => boolean, name: string): PojoType | undefined {
  for (const get of jobExports) {
    let ns: Readonly<Record<string, unknown>>;
    try {
      ns = get();
    } catch {
      continue;
    }
    for (const key of Object.keys(ns)) {
      let v: unknown;
      try {
        v = ns[key];
      } catch {
        continue; // Not initialized yet (declared below the module's execute() call).
      }
      if (!isClass(v) || !match(v)) continue;
      checkUniqueExport(ns, key, v);
      try {
        return registerPojoType(v, v.name || name);
      } catch (e) {
        // A class with #private members fails where its records are copied; others stay plain objects.
        if ((e as { code?: unknown })?.code === 'MF_ERR_SERIALIZATION') throw e;
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Refuses to register an exported class when the module exports another class of the same name
 * (not registered under a name of its own): records of either would decode as the other.
 */
function checkUniqueExport(ns: Readonly<Record<string, unknown>>, key: string, cls: abstract new (...args: never[]) => unknown): void {
  for (const other of Object.keys(ns)) {
    if (other === key) continue;
    let v: unknown;
    try {
      v = ns[other];
    } catch {
      continue;
    }
    if (v === cls || !isClass(v) || v.name !== cls.name) continue;
    const registered = byPrototype.get(v.prototype as object);
    if (registered !== undefined && registered.name !== cls.name) continue;
    throw new MiniFlinkError(
      'MF_ERR_INVALID_ARGUMENT',
      `The job module exports two different classes named ${cls.name} (exports '${key}' and '${other}'): records of one would come back as the other. ` +
        `Register them under names of their own: env.getConfig().registerPojoType(${key}, '${key}') and registerPojoType(${other}, '${other}').`,
    );
  }
}

/** Whether a value is a class (a `class` declaration, not a plain function). */
function isClass(v: unknown): v is abstract new (...args: never[]) => unknown {
  if (typeof v !== 'function' || typeof v.prototype !== 'object' || v.prototype === null) return false;
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(v));
  } catch {
    return false;
  }
}

/**
 * The deep copy of an instance by the copy function of its layout (generated on first sight, at
 * most MAX_LAYOUTS per class); undefined when the generic path must copy it. `nested` copies a
 * field's object value (and throws for a function or symbol value: see record-copy.ts).
 */
export function copyByLayout(type: PojoType, v: object, nested: (x: object) => unknown): object | undefined {
  const layouts = type.copiers;
  for (let i = 0; i < layouts.length; i++) {
    const o = layouts[i]!.fn(v);
    if (o !== undefined) return o;
  }
  return newLayout(layouts, v, (keys) => generate(type.prototype, keys, 'copy', nested))?.(v);
}

/** An instance of a registered type from decoded fields (a plain object whose values are decoded already). */
export function createPojo(type: PojoType, fields: object): object {
  const layouts = type.creators;
  for (let i = 0; i < layouts.length; i++) {
    const o = layouts[i]!.fn(fields);
    if (o !== undefined) return o;
  }
  const o = newLayout(layouts, fields, (keys) => generate(type.prototype, keys, 'create', identity))?.(fields);
  if (o !== undefined) return o;
  const out = Object.create(type.prototype) as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    const x = (fields as Record<string, unknown>)[k];
    if (k in out) defineField(out, k, x);
    else out[k] = x;
  }
  return out;
}

/** Generates and keeps the function for v's layout, unless there are enough or v's layout is known. */
function newLayout(layouts: Layout[], v: object, make: (keys: readonly string[]) => Layout['fn'] | undefined): Layout['fn'] | undefined {
  if (layouts.length >= MAX_LAYOUTS) return undefined;
  const keys = Object.keys(v);
  // A known layout refused v: v has inherited enumerable keys (set on a prototype). Generic path.
  for (const l of layouts) if (sameKeys(l.keys, keys)) return undefined;
  const fn = make(keys);
  if (fn !== undefined) layouts.push({ keys, fn });
  return fn;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Generates the copy (or create) function of one layout:
 *
 *   function copy(v) {
 *     let i = 0;
 *     for (const k in v) if (k !== K[i++]) return undefined;   // exactly these keys, in order
 *     if (i !== 2) return undefined;
 *     const o = Object.create(P);
 *     let x;
 *     x = v["word"]; if (typeof x === "object") { if (x !== null) x = nested(x); }
 *     else if (typeof x === "function" || typeof x === "symbol") bad("word", x);
 *     o["word"] = x;
 *     ...
 *     return o;
 *   }
 *
 * create(f) is the same without `nested` (decoded values are fresh already). A key the prototype
 * chain also has (an accessor, a method, `__proto__`) is defined on the instance rather than
 * assigned, so no setter runs and the field shadows what it shadowed before. Undefined when code
 * cannot be generated here (code generation from strings disabled).
 */
function generate(proto: object, keys: readonly string[], kind: 'copy' | 'create', nested: (x: object) => unknown): Layout['fn'] | undefined {
  // A field name with a lone surrogate becomes U+FFFD in a copy (as msgpack's UTF-8 makes it): the generic path.
  if (kind === 'copy' && !keys.every(wellFormed)) return undefined;
  const set = (k: string, value: string) => (k in proto ? `def(o, ${JSON.stringify(k)}, ${value});` : `o[${JSON.stringify(k)}] = ${value};`);
  const fields = keys
    .map((k) =>
      kind === 'create'
        ? set(k, `v[${JSON.stringify(k)}]`)
        : `x = v[${JSON.stringify(k)}]; if (typeof x === "object") { if (x !== null) x = nested(x); } else if (typeof x === "function" || typeof x === "symbol") bad(${JSON.stringify(k)}, x); ${set(k, 'x')}`,
    )
    .join('\n');
  // A copy checks the prototype too: copyObject finds the type by `constructor`, a guess.
  const body = `"use strict";
return function ${kind}(v) {
  ${kind === 'copy' ? 'if (Object.getPrototypeOf(v) !== P) return undefined;' : ''}
  let i = 0;
  for (const k in v) if (k !== K[i++]) return undefined;
  if (i !== ${keys.length}) return undefined;
  const o = Object.create(P);
  let x;
${fields}
  return o;
};`;
  try {
    const make = new Function('P', 'K', 'nested', 'def', 'bad', body) as (P: object, K: readonly string[], nested: (x: object) => unknown, def: typeof defineField, bad: typeof badField) => Layout['fn'];
    return make(proto, keys, nested, defineField, badField);
  } catch {
    return undefined;
  }
}

/** Defines an own, enumerable, writable field (where assigning would hit the prototype chain). */
export function defineField(o: object, k: string, value: unknown): void {
  Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
}

function badField(k: string, x: unknown): never {
  throw new TypeError(`field ${k} is a ${typeof x}`);
}

const identity = (x: object): object => x;

function describe(v: unknown): string {
  if (typeof v === 'function') return v.name ? `function ${v.name}` : 'an anonymous function';
  return v === null ? 'null' : typeof v;
}
