/**
 * Strings that msgpack's UTF-8 and msgpackr's decoder used to change across an exchange (found by
 * a review): lone surrogates ('\uD800' and '\uDC00' became one key U+FFFD at p=1, and failed with
 * MF_ERR_INVALID_KEY at p=2), and an own `__proto__` field (renamed `__proto_`). keyBy(name) with a
 * count per key in ValueState, then each record's own fields after a rebalance.
 * Prints `RESULT [...]`: "<key as code units> <count>" per record, sorted, then the field names.
 */
import { KeyedProcessFunction, StreamExecutionEnvironment, ValueStateDescriptor, type Collector, type KeyedProcessContext } from 'miniflink';

const units = (s: string) => [...Array(s.length).keys()].map((i) => s.charCodeAt(i).toString(16)).join(' ');

class Count extends KeyedProcessFunction<string, { name: string }, string> {
  processElement(r: { name: string }, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
    count.update((count.value() ?? 0) + 1);
    out.collect(`${units(ctx.getCurrentKey())}=${units(r.name)} ${count.value()}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const names = ['\uD800', '\uDC00', '\uFFFD', 'a\uD800b', '\uD800', '\uDC00', '\uD800'];
const counts = await env.fromCollection(names.map((name) => ({ name }))).keyBy((r) => r.name).process(new Count()).executeAndCollect();
const fields = await env.fromCollection([JSON.parse('{"id":1,"__proto__":"x"}') as object]).rebalance().map((r) => Object.keys(r).join(',')).executeAndCollect();
console.log(`RESULT ${JSON.stringify([...counts.sort(), ...fields])}`);
