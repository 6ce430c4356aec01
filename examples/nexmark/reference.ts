/**
 * The Nexmark queries of queries.ts as plain single-threaded loops over the generator's events:
 * what the tests check the jobs against, and the baseline of the benchmark's COST ratio (the
 * job's events/s over this loop's, in one process, generating the same events). Each returns the
 * records the query's job emits, in some order; for q4 only the last average of each category
 * (the job emits every update).
 */
import { events, type GeneratorConfig } from './generator.js';
import { AUCTION, BID, PERSON, type Auction, type Bid, type Person } from './model.js';
import { Q3_CATEGORY, Q3_STATES, Q5_SIZE, Q5_SLIDE, Q7_SIZE, Q8_SIZE, type AuctionPrice, type CategoryAverage, type EuroBid, type HighestBid, type HotItem, type LocalItem, type NewUser, type QueryName } from './queries.js';

const windowStart = (ts: number, size: number): number => ts - (ts % size);

export function q0(config: GeneratorConfig): Bid[] {
  const out: Bid[] = [];
  for (const e of events(config)) if (e.type === BID) out.push(e.bid!);
  return out;
}

export function q1(config: GeneratorConfig): EuroBid[] {
  const out: EuroBid[] = [];
  for (const e of events(config)) {
    if (e.type !== BID) continue;
    const b = e.bid!;
    out.push({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, dateTime: b.dateTime, extra: b.extra });
  }
  return out;
}

export function q2(config: GeneratorConfig): AuctionPrice[] {
  const out: AuctionPrice[] = [];
  for (const e of events(config)) if (e.type === BID && e.bid!.auction % 123 === 0) out.push({ auction: e.bid!.auction, price: e.bid!.price });
  return out;
}

export function q3(config: GeneratorConfig): LocalItem[] {
  const sellers = new Map<number, Person>();
  const waiting = new Map<number, Auction[]>();
  const out: LocalItem[] = [];
  for (const e of events(config)) {
    if (e.type === PERSON && Q3_STATES.has(e.person!.state)) {
      const p = e.person!;
      sellers.set(p.id, p);
      for (const a of waiting.get(p.id) ?? []) out.push({ name: p.name, city: p.city, state: p.state, id: a.id });
      waiting.delete(p.id);
    } else if (e.type === AUCTION && e.auction!.category === Q3_CATEGORY) {
      const a = e.auction!;
      const p = sellers.get(a.seller);
      if (p) out.push({ name: p.name, city: p.city, state: p.state, id: a.id });
      else waiting.set(a.seller, [...(waiting.get(a.seller) ?? []), a]);
    }
  }
  return out;
}

export function q4(config: GeneratorConfig): CategoryAverage[] {
  const auctions = new Map<number, Auction>();
  const early = new Map<number, Bid[]>();
  const max = new Map<number, number>();
  const offer = (a: Auction, b: Bid) => {
    if (b.dateTime < a.dateTime || b.dateTime > a.expires) return;
    if (!(b.price <= (max.get(a.id) ?? -1))) max.set(a.id, b.price);
  };
  for (const e of events(config)) {
    if (e.type === AUCTION) {
      const a = e.auction!;
      auctions.set(a.id, a);
      for (const b of early.get(a.id) ?? []) offer(a, b);
      early.delete(a.id);
    } else if (e.type === BID) {
      const a = auctions.get(e.bid!.auction);
      if (a) offer(a, e.bid!);
      else early.set(e.bid!.auction, [...(early.get(e.bid!.auction) ?? []), e.bid!]);
    }
  }
  // Every auction closes by the end of the stream (the final watermark).
  const sums = new Map<number, [number, number]>();
  for (const [id, price] of max) {
    const c = auctions.get(id)!.category;
    const [s, n] = sums.get(c) ?? [0, 0];
    sums.set(c, [s + price, n + 1]);
  }
  return [...sums].map(([category, [s, n]]) => ({ category, avg: s / n, count: n }));
}

export function q5(config: GeneratorConfig): HotItem[] {
  const counts = new Map<number, Map<number, number>>();
  for (const e of events(config)) {
    if (e.type !== BID) continue;
    const b = e.bid!;
    for (let start = windowStart(b.dateTime, Q5_SLIDE); start > b.dateTime - Q5_SIZE; start -= Q5_SLIDE) {
      let w = counts.get(start);
      if (!w) counts.set(start, (w = new Map()));
      w.set(b.auction, (w.get(b.auction) ?? 0) + 1);
    }
  }
  const out: HotItem[] = [];
  for (const [start, w] of counts) {
    const top = Math.max(...w.values());
    for (const [auction, num] of w) if (num === top) out.push({ windowStart: start, auction, num });
  }
  return out;
}

export function q7(config: GeneratorConfig): HighestBid[] {
  const top = new Map<number, Bid[]>();
  for (const e of events(config)) {
    if (e.type !== BID) continue;
    const b = e.bid!;
    const start = windowStart(b.dateTime, Q7_SIZE);
    const t = top.get(start);
    if (!t || b.price > t[0]!.price) top.set(start, [b]);
    else if (b.price === t[0]!.price) t.push(b);
  }
  const out: HighestBid[] = [];
  for (const [start, bids] of top) for (const b of bids) out.push({ windowStart: start, auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime });
  return out;
}

export function q8(config: GeneratorConfig): NewUser[] {
  const persons = new Map<string, Person>();
  const sellers = new Set<string>();
  for (const e of events(config)) {
    if (e.type === PERSON) persons.set(`${e.person!.id}@${windowStart(e.person!.dateTime, Q8_SIZE)}`, e.person!);
    else if (e.type === AUCTION) sellers.add(`${e.auction!.seller}@${windowStart(e.auction!.dateTime, Q8_SIZE)}`);
  }
  const out: NewUser[] = [];
  for (const [k, p] of persons) if (sellers.has(k)) out.push({ id: p.id, name: p.name, starttime: windowStart(p.dateTime, Q8_SIZE) });
  return out;
}

/** The reference implementations by query name. */
export const REFERENCE: Record<QueryName, (config: GeneratorConfig) => unknown[]> = { q0, q1, q2, q3, q4, q5, q7, q8 };
