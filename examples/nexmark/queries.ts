/**
 * Nexmark queries q0, q1, q2, q3, q4, q5, q7 and q8 written with the DataStream API, as a Flink
 * user would write the SQL of Flink's Nexmark benchmark (github.com/nexmark/nexmark, queries/*.sql).
 * Each takes the generator's streams and returns its result stream; examples/nexmark/q<N>.ts runs
 * one, and reference.ts is the same query as a plain single-threaded loop. Before its first
 * exchange (keyBy) each keeps only the fields it needs, as Flink's planner does for the SQL
 * (projection push-down): padding and URLs are not shipped between threads for nothing.
 *
 *   q0  pass-through        every bid as it is
 *   q1  currency conversion every bid with its price in euros (0.908 * dollars)
 *   q2  selection           (auction, price) of the bids on auctions whose id is a multiple of 123
 *   q3  local item suggestion  (name, city, state, auction id) of sellers in OR, ID or CA opening an
 *                           auction in category 10: an unbounded keyed join (KeyedCoProcessFunction)
 *   q4  average price per category: the winning bid of each auction (the highest bid between its
 *                           opening and its expiry, known when it closes: an event-time timer), then
 *                           the running average per category (each update emitted)
 *   q5  hot items           the auctions with the most bids in each 10 s window sliding by 2 s
 *   q7  highest bid         the bids with the highest price in each 10 s tumbling window (the SQL's
 *                           bounds are `BETWEEN end - 10 s AND end`; here a window is [start, end),
 *                           as tumbling windows are)
 *   q8  monitor new users   persons who registered and opened an auction in the same 10 s window
 *                           (a window coGroup of persons and auctions)
 */
import {
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  ListStateDescriptor,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  type Collector,
  type DataStream,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type TimeWindow,
  type ValueState,
} from 'miniflink';
import type { NexmarkStreams } from './generator.js';
import type { Auction, Bid, Person } from './model.js';

/** q1's record. */
export interface EuroBid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}
/** q2's record. */
export interface AuctionPrice {
  readonly auction: number;
  readonly price: number;
}
/** q3's record. */
export interface LocalItem {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly id: number;
}
/** q4's record: the average winning price of a category after `count` closed auctions. */
export interface CategoryAverage {
  readonly category: number;
  readonly avg: number;
  readonly count: number;
}
/** q5's record. */
export interface HotItem {
  readonly windowStart: number;
  readonly auction: number;
  readonly num: number;
}
/** q7's record. */
export interface HighestBid {
  readonly windowStart: number;
  readonly auction: number;
  readonly price: number;
  readonly bidder: number;
  readonly dateTime: number;
}
/** q8's record. */
export interface NewUser {
  readonly id: number;
  readonly name: string;
  readonly starttime: number;
}

export const Q3_STATES = new Set(['OR', 'ID', 'CA']);
export const Q3_CATEGORY = 10;
export const Q5_SIZE = 10_000;
export const Q5_SLIDE = 2_000;
export const Q7_SIZE = 10_000;
export const Q8_SIZE = 10_000;

/** q0: pass-through. */
export function q0(s: NexmarkStreams): DataStream<Bid> {
  return s.bids.map((b) => b).name('q0 pass-through');
}

/** q1: currency conversion. */
export function q1(s: NexmarkStreams): DataStream<EuroBid> {
  return s.bids.map((b): EuroBid => ({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, dateTime: b.dateTime, extra: b.extra })).name('q1 to euros');
}

/** q2: selection. */
export function q2(s: NexmarkStreams): DataStream<AuctionPrice> {
  return s.bids
    .filter((b) => b.auction % 123 === 0)
    .name('q2 auction % 123 = 0')
    .map((b): AuctionPrice => ({ auction: b.auction, price: b.price }));
}

/** q3: auctions of category 10 joined with their sellers from OR, ID and CA, whichever comes first. */
/** What q3 keeps of an auction and of a person. */
type AuctionOfSeller = Pick<Auction, 'id' | 'seller'>;
type Seller = Pick<Person, 'id' | 'name' | 'city' | 'state'>;

export class LocalItemSuggestion extends KeyedCoProcessFunction<number, AuctionOfSeller, Seller, LocalItem> {
  private seller!: ValueState<Seller>;
  private waiting!: ListState<AuctionOfSeller>;
  override open(): void {
    this.seller = this.getRuntimeContext().getState(new ValueStateDescriptor<Seller>('seller'));
    this.waiting = this.getRuntimeContext().getListState(new ListStateDescriptor<AuctionOfSeller>('auctions waiting for their seller'));
  }
  processElement1(a: AuctionOfSeller, _ctx: KeyedProcessContext<number>, out: Collector<LocalItem>): void {
    const p = this.seller.value();
    if (p) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
    else this.waiting.add(a);
  }
  processElement2(p: Seller, _ctx: KeyedProcessContext<number>, out: Collector<LocalItem>): void {
    this.seller.update(p);
    for (const a of this.waiting.get()) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
    this.waiting.clear();
  }
}

export function q3(s: NexmarkStreams): DataStream<LocalItem> {
  const auctions = s.auctions
    .filter((a) => a.category === Q3_CATEGORY)
    .map((a): AuctionOfSeller => ({ id: a.id, seller: a.seller }))
    .keyBy((a) => a.seller);
  const persons = s.persons
    .filter((p) => Q3_STATES.has(p.state))
    .map((p): Seller => ({ id: p.id, name: p.name, city: p.city, state: p.state }))
    .keyBy((p) => p.id);
  return auctions.connect(persons).process(new LocalItemSuggestion()).name('q3 local items').uid('q3-join');
}

/** What q4 keeps of an auction and of a bid. */
type AuctionSpan = Pick<Auction, 'id' | 'category' | 'dateTime' | 'expires'>;
type BidPrice = Pick<Bid, 'auction' | 'price' | 'dateTime'>;

/** q4, first step: the winning price of each auction when it closes. */
export class WinningBids extends KeyedCoProcessFunction<number, AuctionSpan, BidPrice, { category: number; price: number }> {
  private auction!: ValueState<AuctionSpan>;
  private maxPrice!: ValueState<number>;
  private early!: ListState<BidPrice>;
  private closed!: ValueState<boolean>;
  override open(): void {
    const rc = this.getRuntimeContext();
    this.auction = rc.getState(new ValueStateDescriptor<AuctionSpan>('auction'));
    this.maxPrice = rc.getState(new ValueStateDescriptor<number>('max price'));
    this.early = rc.getListState(new ListStateDescriptor<BidPrice>('bids before their auction'));
    this.closed = rc.getState(new ValueStateDescriptor<boolean>('closed'));
  }
  private offer(a: AuctionSpan, b: BidPrice): void {
    if (b.dateTime < a.dateTime || b.dateTime > a.expires) return;
    const max = this.maxPrice.value();
    if (max === null || b.price > max) this.maxPrice.update(b.price);
  }
  processElement1(a: AuctionSpan, ctx: KeyedProcessContext<number>): void {
    this.auction.update(a);
    for (const b of this.early.get()) this.offer(a, b);
    this.early.clear();
    ctx.timerService().registerEventTimeTimer(a.expires);
  }
  processElement2(b: BidPrice): void {
    if (this.closed.value()) return;
    const a = this.auction.value();
    if (a) this.offer(a, b);
    else this.early.add(b);
  }
  override onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<{ category: number; price: number }>): void {
    const a = this.auction.value()!;
    const max = this.maxPrice.value();
    if (max !== null) out.collect({ category: a.category, price: max });
    this.auction.clear();
    this.maxPrice.clear();
    this.closed.update(true);
  }
}

/** q4, second step: the running average of the winning prices per category. */
export class AverageByCategory extends KeyedProcessFunction<number, { category: number; price: number }, CategoryAverage> {
  private sum!: ValueState<[number, number]>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<[number, number]>('sum and count'));
  }
  processElement(w: { category: number; price: number }, _ctx: KeyedProcessContext<number>, out: Collector<CategoryAverage>): void {
    const [sum, count] = this.sum.value() ?? [0, 0];
    this.sum.update([sum + w.price, count + 1]);
    out.collect({ category: w.category, avg: (sum + w.price) / (count + 1), count: count + 1 });
  }
}

export function q4(s: NexmarkStreams): DataStream<CategoryAverage> {
  return s.auctions
    .map((a): AuctionSpan => ({ id: a.id, category: a.category, dateTime: a.dateTime, expires: a.expires }))
    .keyBy((a) => a.id)
    .connect(s.bids.map((b): BidPrice => ({ auction: b.auction, price: b.price, dateTime: b.dateTime })).keyBy((b) => b.auction))
    .process(new WinningBids())
    .name('q4 winning bids')
    .uid('q4-winning')
    .keyBy((w) => w.category)
    .process(new AverageByCategory())
    .name('q4 average')
    .uid('q4-average');
}

/** q5, second step: per window, the auctions with the most bids (once the watermark passed the window). */
export class HotItems extends KeyedProcessFunction<number, HotItem, HotItem> {
  private top!: ValueState<HotItem[]>;
  override open(): void {
    this.top = this.getRuntimeContext().getState(new ValueStateDescriptor<HotItem[]>('top auctions'));
  }
  processElement(c: HotItem, ctx: KeyedProcessContext<number>): void {
    const top = this.top.value();
    if (top === null) {
      this.top.update([c]);
      ctx.timerService().registerEventTimeTimer(c.windowStart + Q5_SIZE - 1);
    } else if (c.num > top[0]!.num) this.top.update([c]);
    else if (c.num === top[0]!.num) this.top.update([...top, c]);
  }
  override onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<HotItem>): void {
    for (const c of this.top.value() ?? []) out.collect(c);
    this.top.clear();
  }
}

export function q5(s: NexmarkStreams): DataStream<HotItem> {
  return s.bids
    .map((b) => b.auction)
    .keyBy((auction) => auction)
    .window(SlidingEventTimeWindows.of(Q5_SIZE, Q5_SLIDE))
    .aggregate(
      { createAccumulator: () => 0, add: (_auction: number, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (auction: number, w: TimeWindow, counts: Iterable<number>, out: Collector<HotItem>) => {
        for (const num of counts) out.collect({ windowStart: w.getStart(), auction, num });
      },
    )
    .uid('q5-counts')
    .keyBy((c) => c.windowStart)
    .process(new HotItems())
    .name('q5 hot items')
    .uid('q5-top');
}

/** What q7 keeps of a bid. */
type PricedBid = Pick<Bid, 'auction' | 'price' | 'bidder' | 'dateTime'>;

/** q7: the bids of the highest price so far (with ties) of a window, for one key or all. */
interface MaxBids {
  price: number;
  bids: PricedBid[];
}
const addToMax = (acc: MaxBids, b: PricedBid): MaxBids => (b.price > acc.price ? { price: b.price, bids: [b] } : b.price === acc.price ? { price: acc.price, bids: [...acc.bids, b] } : acc);

/** q7, second step: the highest bids of each window over every auction's highest (once the watermark passed it). */
export class HighestBids extends KeyedProcessFunction<number, HighestBid, HighestBid> {
  private top!: ValueState<HighestBid[]>;
  override open(): void {
    this.top = this.getRuntimeContext().getState(new ValueStateDescriptor<HighestBid[]>('highest bids'));
  }
  processElement(b: HighestBid, ctx: KeyedProcessContext<number>): void {
    const top = this.top.value();
    if (top === null) {
      this.top.update([b]);
      ctx.timerService().registerEventTimeTimer(b.windowStart + Q7_SIZE - 1);
    } else if (b.price > top[0]!.price) this.top.update([b]);
    else if (b.price === top[0]!.price) this.top.update([...top, b]);
  }
  override onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<HighestBid>): void {
    for (const b of this.top.value() ?? []) out.collect(b);
    this.top.clear();
  }
}

export function q7(s: NexmarkStreams): DataStream<HighestBid> {
  return s.bids
    .map((b): PricedBid => ({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime }))
    .keyBy((b) => b.auction)
    .window(TumblingEventTimeWindows.of(Q7_SIZE))
    .aggregate(
      {
        createAccumulator: (): MaxBids => ({ price: -1, bids: [] }),
        add: (b: PricedBid, acc: MaxBids) => addToMax(acc, b),
        getResult: (acc: MaxBids) => acc,
        merge: (a: MaxBids, b: MaxBids) => b.bids.reduce(addToMax, a),
      },
      (_auction: number, w: TimeWindow, maxes: Iterable<MaxBids>, out: Collector<HighestBid>) => {
        for (const m of maxes) for (const b of m.bids) out.collect({ windowStart: w.getStart(), auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime });
      },
    )
    .uid('q7-per-auction')
    .keyBy((b) => b.windowStart)
    .process(new HighestBids())
    .name('q7 highest bids')
    .uid('q7-highest');
}

/** What q8 keeps of a person (of an auction, the seller). */
type NewPerson = Pick<Person, 'id' | 'name' | 'dateTime'>;

export function q8(s: NexmarkStreams): DataStream<NewUser> {
  return s.persons
    .map((p): NewPerson => ({ id: p.id, name: p.name, dateTime: p.dateTime }))
    .coGroup(s.auctions.map((a) => a.seller))
    .where((p) => p.id)
    .equalTo((seller) => seller)
    .window(TumblingEventTimeWindows.of(Q8_SIZE))
    .apply((persons: NewPerson[], auctions: number[], out: Collector<NewUser>) => {
      if (auctions.length === 0) return;
      for (const p of persons) out.collect({ id: p.id, name: p.name, starttime: p.dateTime - (p.dateTime % Q8_SIZE) });
    })
    .uid('q8-cogroup');
}

/** The queries by name. */
export const QUERIES = { q0, q1, q2, q3, q4, q5, q7, q8 } as const;
export type QueryName = keyof typeof QUERIES;
