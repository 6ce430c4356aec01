/**
 * `pipeline.local-exchange.by-reference`: a consumer in the producer's slot thread gets the
 * producer's copies of the records instead of a packed and unpacked batch. The records it gets must
 * be the same either way. test/jobs/local-exchange-kinds-job.ts sends some forty kinds of records
 * through keyBy, rebalance, broadcast and forward (each consumer a task of its own) and describes
 * what arrives; this checks the descriptions against the serialized (Flink-like) delivery written
 * down below, at parallelism 1 (one slot thread: every exchange local) with and without the
 * option, and at parallelism 2 with it (half the exchanges cross to the other thread).
 */
import { describe, expect, it } from 'vitest';
import { explain, resultOf, runCli, type CliResult } from '../helpers/cli.js';

const JOB = 'test/jobs/local-exchange-kinds-job.ts';
const BY_REFERENCE = ['-D', 'pipeline.local-exchange.by-reference=true'];

/**
 * Each kind of the job (by name) as a consumer describes it after a serialized exchange: the
 * record's type (prototype), own keys in order, -0, bigints, strings as JSON (a lone surrogate as
 * \udXXX).
 */
const SERIALIZED: ReadonlyArray<readonly [string, string]> = [
  ['plain', 'Object{a:1,b:"two",c:true,d:null}'],
  ['key order', 'Object{"2":"two","10":"ten",z:1,a:2,m:3}'],
  ['integer-like keys', 'Object{"1":"b","01":"a","-1":"c","1.5":"d"}'],
  ['undefined vs missing', 'Object{a:undefined,b:1,nested:Object{u:undefined}}'],
  ['negative zero', 'Object{z:-0,arr:Array[-0,0],nested:Object{q:-0},min:-5e-324}'],
  ['numbers', 'Object{nan:NaN,inf:-Infinity,big:9007199254740994,f:0.1,i32:-2147483648,u64:1099511627776,tiny:5e-324}'],
  ['bigints', 'Object{small:5n,neg:-7n,i64max:9223372036854775807n,u64max:18446744073709551615n,huge:1180591620717411303424n,negHuge:-1180591620717411303424n}'],
  ['primitive string', '"str"'],
  ['primitive -0', '-0'],
  ['primitive bigint', '3n'],
  ['primitive null', 'null'],
  ['__proto__ own key (JSON.parse)', 'Object{id:1,__proto__:Object{polluted:true}}'],
  ['__proto__ own key nested', 'Object{list:Array[Object{__proto__:"x",b:-0}]}'],
  ['constructor own key (JSON.parse)', 'Object{constructor:"c",a:Object{constructor:Object{name:"x"}}}'],
  // An object without a prototype keeps it (serialized, it arrived with Object's until a review found a dictionary broken by it).
  ['null prototype', 'null-prototype{a:1,b:"x"}'],
  ['null prototype nested', 'Object{inner:null-prototype{k:"v"},inMap:Map{"n"=>null-prototype{q:-0}}}'],
  ['null prototype with __proto__ key', 'null-prototype{__proto__:1}'],
  ['Map', 'Map{"a"=>1,"b"=>Object{c:-0},Object{k:1}=>"object key",1=>"number key","1"=>"string key",2n=>Date(7)}'],
  // A Set holds -0 as 0 already.
  ['Set', 'Set{1,"x",Object{o:1},0,"a\\ud800",Array[1n]}'],
  ['Map and Set subclasses', 'Object{m:Map{"a"=>1},arr:Array[1,2]}'],
  ['Date', 'Object{d:Date(1700000000123),epoch:Date(0),before:Date(-1),invalid:Date(NaN)}'],
  ['Buffer', 'Object{b:Buffer(6869) isBuffer,empty:Buffer() isBuffer}'],
  ['Uint8Array', 'Object{u8:Uint8Array(010203),view:Uint8Array(0102)}'],
  ['other typed arrays', 'Array[Float64Array(000000000000f83f0000000000000080),Float32Array(00000080),Int32Array(ffffffff02000000),BigInt64Array(0100000000000000feffffffffffffff),Uint8ClampedArray(ff),Int8Array(ff)]'],
  ['DataView and ArrayBuffer', 'Object{dv:DataView(0708),ab:ArrayBuffer(0909)}'],
  ['URL', 'Object{url:URL(https://example.com/a?b=c#d)}'],
  ['boxed primitives', 'Array[Number(-0),Number(2),String("bx"),String("\\ud800"),Boolean(false),BigInt(12n)]'],
  // The Error's own field `code` is lost; serialized, an Error without a cause gets an own `cause` (undefined).
  ['RegExp and Error', 'Object{re:RegExp(/ab+c/gi,lastIndex=0),err:Error(Error: boom,cause="why"),type:TypeError(TypeError: te,cause=undefined)}'],
  ['lone surrogates in values', 'Object{s:"a\\ud800b",t:"\\udc00",pair:"\uD83D\uDE00",fffd:"\uFFFD",arr:Array["\\udbff"]}'],
  // Object keys with a lone surrogate become U+FFFD when serialized (src/core/serde.ts): here two keys become one.
  ['lone surrogates in keys', 'Object{"k\uFFFD":2}'],
  ['sparse array', 'Object{s:Array[1,undefined,3],holes:Array[undefined,undefined],undef:Array[undefined]}'],
  ['array with an extra property', 'Object{a:Array[1,2]}'],
  ['registered class', 'Pt{x:1,y:-0} sum()=1'],
  ['registered class nested', 'Object{p:Pt{x:2,y:3} sum()=5,m:Map{"p"=>Pt{x:4,y:5} sum()=9},arr:Array[Pt{x:6,y:7} sum()=13]}'],
  ['registered class, field added / deleted / undefined', 'Array[Pt{x:1,y:2,extra:"e"} sum()=3,Pt{x:3} sum()=NaN,Pt{x:undefined,y:5} sum()=NaN]'],
  ['unregistered class', 'Object{l:Object{n:1}}'],
  // Serialized, a symbol-keyed property is dropped.
  ['symbol-keyed property', 'Object{symbolHolder:1}'],
  ['getter and non-enumerable', 'Object{g:1,x:2}'],
  ['inherited fields (Object.create)', 'Object{own:2}'],
  ['frozen', 'Object{f:Array[1]}'],
  ['deeply nested', 'Object{a:Array[Array[1,Array[2,Object{b:Array[3,Object{c:Object{d:Object{e:Array[null,-0]}}}]}]],Object{f:Object{}},Array[]]}'],
  ['70 keys', `Object{${Array.from({ length: 70 }, (_, i) => `k${i}:${i}`).join(',')}}`],
  ['empty', 'Array[Object{},Array[],"",Map{},Set{}]'],
  ['lone \uD800', '"high"'],
  ['lone \uDC00', '"low"'],
];

/**
 * Keys by value, each twice from one producer, as ctx.getCurrentKey() gives them with their count:
 * -0 and 0 are one key (as Java's Integer 0), and so are objects with the same fields in another order.
 */
const KEYS = [
  'key "\\ud800" #1',
  'key "\\ud800" #2',
  'key "\\udc00" #1',
  'key "\\udc00" #2',
  'key "\uFFFD" #1',
  'key "\uFFFD" #2',
  'key -0 #1',
  'key 0 #2',
  'key -0 #3',
  'key 0 #4',
  'key 5n #1',
  'key 5n #2',
  'key Array["a",1n,-0] #1',
  'key Array["a",1n,-0] #2',
  'key Date(5) #1',
  'key Date(5) #2',
  'key Map{"m"=>1,2n=>"x"} #1',
  'key Map{"m"=>1,2n=>"x"} #2',
  'key Object{b:1,a:Array[2]} #1',
  'key Object{a:Array[2],b:1} #2',
  'key Object{b:1,a:Array[2]} #3',
  'key Object{a:Array[2],b:1} #4',
];

/** What the job prints at parallelism p: a broadcast reaches each of the p consumers. */
function expected(p: number): { kinds: string[]; mutation: string[] } {
  const kinds = [...KEYS];
  const mutation: string[] = [];
  for (const [name, description] of SERIALIZED) {
    const n = JSON.stringify(name);
    kinds.push(`keyBy ${n}: ${description} #1`, `rebalance ${n}: ${description}`, `forward ${n}: ${description}`);
    for (let i = 0; i < p; i++) kinds.push(`broadcast ${n}: ${description}`);
  }
  for (let n = 1; n <= 30; n++) {
    // What the upstream's shared object held at emit, never a later state, and nothing the consumers changed.
    const line = `${n}: Object{n:${n},tag:"up",inner:Object{v:${n},list:Array[${n},${2 * n}]},changedByOthers:0}; kept records changed since: 0`;
    mutation.push(`keyBy ${line}`);
    for (let i = 0; i < p; i++) mutation.push(`broadcast ${line}`);
  }
  return { kinds: kinds.sort(), mutation: mutation.sort() };
}

const runs = new Map<string, Promise<{ args: string[]; r: CliResult }>>();

/** Runs the job once per configuration (the tests share the runs). */
function run(p: number, byReference: boolean): Promise<{ args: string[]; r: CliResult }> {
  const args = ['run', '-t', 'local', '-p', String(p), ...(byReference ? BY_REFERENCE : []), JOB];
  const key = args.join(' ');
  let got = runs.get(key);
  if (got === undefined) {
    got = runCli(args, { timeoutMs: 60_000 }).then((r) => ({ args, r }));
    runs.set(key, got);
  }
  return got;
}

async function output(p: number, byReference: boolean): Promise<{ kinds: string[]; mutation: string[]; why: string }> {
  const { args, r } = await run(p, byReference);
  const why = explain(args, r);
  expect(r.code, why).toBe(0);
  // The only warning: the unregistered class (once per slot thread that copies it).
  expect(r.stderr.split('\n').filter((l) => l !== '' && !l.includes('records of class Loose are not of a registered POJO type')), why).toEqual([]);
  return { ...(resultOf(r) as { kinds: string[]; mutation: string[] }), why };
}

/** The lines that differ from the expected ones (readable where a plain toEqual of 300 lines is not). */
function difference(got: readonly string[], want: readonly string[]): { count: number; missing: string[]; extra: string[] } {
  const rest = [...got];
  const missing: string[] = [];
  for (const l of want) {
    const i = rest.indexOf(l);
    if (i < 0) missing.push(l);
    else rest.splice(i, 1);
  }
  return { count: got.length, missing, extra: rest };
}

const same = (want: readonly string[]) => ({ count: want.length, missing: [], extra: [] });

describe('local exchange by reference', () => {
  it('local exchange - serialized delivery (the default) at parallelism 1 gives every kind as written down', async () => {
    const got = await output(1, false);
    const want = expected(1);
    expect(difference(got.kinds, want.kinds), got.why).toEqual(same(want.kinds));
  }, 120_000);

  it('local exchange - by reference at parallelism 1 (every exchange in one slot thread) gives the same records as serialized delivery', async () => {
    const [serialized, byReference] = [await output(1, false), await output(1, true)];
    const want = expected(1);
    expect(difference(byReference.kinds, serialized.kinds), byReference.why).toEqual(same(serialized.kinds));
    expect(difference(byReference.kinds, want.kinds), byReference.why).toEqual(same(want.kinds));
  }, 120_000);

  it('local exchange - by reference at parallelism 2 (half the exchanges cross threads) gives the same records as serialized delivery', async () => {
    const got = await output(2, true);
    const want = expected(2);
    expect(difference(got.kinds, want.kinds), got.why).toEqual(same(want.kinds));
  }, 120_000);

  it("local exchange - with object reuse, a consumer that changes its records never sees the producer's reused object change, nor the reverse", async () => {
    for (const [p, byReference] of [[1, false], [1, true], [2, true]] as const) {
      const got = await output(p, byReference);
      const want = expected(p);
      expect(difference(got.mutation, want.mutation), `p=${p} by reference: ${byReference}\n${got.why}`).toEqual(same(want.mutation));
    }
  }, 120_000);
});
