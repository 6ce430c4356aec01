/**
 * The job of the README's "Porting a Flink job": the amounts each account spends per event-time
 * minute (a tumbling window with an AggregateFunction), checked against the account's limit that a
 * second stream of rules sets (a KeyedCoProcessFunction with keyed state: a minute whose limit is
 * not known yet waits for it). The README shows its Java original beside it, line for line.
 *   npx miniflink run -t local -p 2 examples/fraud-detection.ts
 */
import {
  Duration,
  KeyedCoProcessFunction,
  StreamExecutionEnvironment,
  Time,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  ListStateDescriptor,
  type AggregateFunction,
  type Collector,
  type KeyedProcessContext,
  type ListState,
  type TimeWindow,
  type ValueState,
} from 'miniflink';

export interface Transaction { accountId: string; amount: number; timestamp: number }
export interface Rule { accountId: string; limit: number }
export interface Spend { accountId: string; minute: number; total: number }

export class SumAmounts implements AggregateFunction<Transaction, number, number> {
  createAccumulator(): number { return 0; }
  add(t: Transaction, acc: number): number { return acc + t.amount; }
  getResult(acc: number): number { return acc; }
  merge(a: number, b: number): number { return a + b; }
}

export class LimitCheck extends KeyedCoProcessFunction<string, Spend, Rule, string> {
  private limit!: ValueState<number>;
  private waiting!: ListState<Spend>;
  override open(): void {
    this.limit = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('limit'));
    this.waiting = this.getRuntimeContext().getListState(new ListStateDescriptor<Spend>('waiting'));
  }
  processElement1(s: Spend, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const l = this.limit.value();
    if (l === null) this.waiting.add(s);
    else if (s.total > l) out.collect(`${s.accountId} spent ${s.total} in minute ${s.minute}, over ${l}`);
  }
  processElement2(r: Rule, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    this.limit.update(r.limit);
    for (const s of this.waiting.get()) this.processElement1(s, ctx, out);
    this.waiting.clear();
  }
}

// The data: 600 transactions over 3 minutes of event time, and a limit per minute for two of the three accounts.
const txData: Transaction[] = Array.from({ length: 600 }, (_, i) => ({ accountId: `acc-${(i % 3) + 1}`, amount: (i * 37) % 1000, timestamp: i * 300 }));
const rulesData: Rule[] = [{ accountId: 'acc-1', limit: 36_000 }, { accountId: 'acc-2', limit: 31_000 }];

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(10_000);
const txs = env.fromCollection(txData)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Transaction>(Duration.ofSeconds(5))
        .withTimestampAssigner((t) => t.timestamp));
const rules = env.fromCollection(rulesData);
const spends = txs.keyBy((t) => t.accountId)
    .window(TumblingEventTimeWindows.of(Time.minutes(1)))
    .aggregate(new SumAmounts(), (account: string, w: TimeWindow, totals: Iterable<number>, out: Collector<Spend>) => {
      for (const total of totals) out.collect({ accountId: account, minute: w.getStart() / 60_000, total });
    });
spends.keyBy((s) => s.accountId)
    .connect(rules.keyBy((r) => r.accountId))
    .process(new LimitCheck())
    .print();
await env.execute('Fraud detection');
