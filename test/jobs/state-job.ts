// A KeyedProcessFunction using ValueState, ListState and MapState; emits per-key summaries.
import {
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ListState,
  type MapState,
  type ValueState,
} from 'miniflink';

type Event = { user: string; page: string };

class Profile extends KeyedProcessFunction<string, Event, string> {
  private count!: ValueState<number>;
  private pages!: ListState<string>;
  private perPage!: MapState<string, number>;
  override open(): void {
    const rc = this.getRuntimeContext();
    this.count = rc.getState(new ValueStateDescriptor<number>('count'));
    this.pages = rc.getListState(new ListStateDescriptor<string>('pages'));
    this.perPage = rc.getMapState(new MapStateDescriptor<string, number>('perPage'));
  }
  processElement(e: Event, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    this.pages.add(e.page);
    this.perPage.put(e.page, (this.perPage.get(e.page) ?? 0) + 1);
    if (n % 10 === 0) {
      const top = [...this.perPage.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
      out.collect(`${ctx.getCurrentKey()}|${n}|${[...this.pages.get()].length}|${top[0]}=${top[1]}`);
    }
  }
}

const users = ['ann', 'bob', 'cy', 'dee', 'eve'];
const events: Event[] = [];
for (let i = 0; i < 1000; i++) events.push({ user: users[i % 5]!, page: `p${(i * 7) % 3}` });
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const out = await env
  .fromCollection(events)
  .keyBy((e) => e.user)
  .process(new Profile())
  .executeAndCollect('state');
console.log(`RESULT ${JSON.stringify(out.sort())}`);
