/**
 * The Nexmark generator (examples/nexmark/generator.ts) follows Nexmark's event model: persons,
 * auctions and bids 1 : 3 : 46, ids in order from 1000, the hot-auction / hot-bidder / hot-seller
 * skew, event time advancing with the rate, padding to Nexmark's average sizes; deterministic per
 * event number, so any split into strands is the same stream.
 */
import { describe, expect, it } from 'vitest';
import { eventOf, events, timestampOf, type GeneratorConfig } from '../../../examples/nexmark/generator.js';
import { AUCTION, BID, PERSON, dateTimeOf, type NexmarkEvent } from '../../../examples/nexmark/model.js';

const config: GeneratorConfig = { maxEvents: 50_000, rate: 1000, baseTime: Date.UTC(2026, 0, 1) };
const all: NexmarkEvent[] = [...events(config)];

describe('Nexmark generator', () => {
  it('nexmark generator - persons : auctions : bids = 1 : 3 : 46, ids numbered from 1000 in order', () => {
    const persons = all.filter((e) => e.type === PERSON).map((e) => e.person!);
    const auctions = all.filter((e) => e.type === AUCTION).map((e) => e.auction!);
    const bids = all.filter((e) => e.type === BID);
    expect([persons.length, auctions.length, bids.length]).toEqual([1000, 3000, 46_000]);
    expect(persons.map((p) => p.id)).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
    expect(auctions.map((a) => a.id)).toEqual(Array.from({ length: 3000 }, (_, i) => 1000 + i));
    for (const a of auctions) {
      expect(a.category).toBeGreaterThanOrEqual(10);
      expect(a.category).toBeLessThanOrEqual(14);
      expect(a.reserve).toBeGreaterThan(a.initialBid);
      expect(a.expires).toBeGreaterThan(a.dateTime);
    }
  });

  it('nexmark generator - hot auctions, bidders and sellers: the skew of Nexmark', () => {
    const bids = all.filter((e) => e.type === BID).map((e) => e.bid!);
    // Half the bids go to the hot auction: the latest auction with an even base-0 id when the bid is made.
    let lastAuction = -1;
    let onHot = 0;
    for (const e of all) {
      if (e.type === AUCTION) lastAuction = e.auction!.id - 1000;
      else if (e.type === BID && lastAuction >= 0 && e.bid!.auction === 1000 + Math.floor(lastAuction / 2) * 2) onHot++;
    }
    expect(onHot / bids.length).toBeGreaterThan(0.45);
    expect(onHot / bids.length).toBeLessThan(0.6);
    const hotBidders = bids.filter((b) => (b.bidder - 1000) % 4 === 1).length / bids.length;
    expect(hotBidders).toBeGreaterThan(0.75);
    const sellers = all.filter((e) => e.type === AUCTION).map((e) => e.auction!.seller);
    expect(sellers.filter((s) => (s - 1000) % 4 === 0).length / sellers.length).toBeGreaterThan(0.75);
    // Bids and sellers refer to persons and auctions that exist or are about to (Nexmark's lead of 10).
    const lastPerson = 1000 + 999;
    for (const b of bids) expect(b.bidder).toBeLessThanOrEqual(lastPerson + 10);
  });

  it('nexmark generator - event time advances with the rate; padding brings events near Nexmark average sizes', () => {
    expect(all.map(dateTimeOf)).toEqual(Array.from({ length: all.length }, (_, n) => timestampOf(config, n)));
    expect(timestampOf(config, 1000) - timestampOf(config, 0)).toBe(1000);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const bytes = (type: number) => avg(all.filter((e) => e.type === type).map((e) => JSON.stringify(e.person ?? e.auction ?? e.bid).length));
    // JSON adds field names to Nexmark's sizes (200, 500 and 100 bytes of values).
    expect(bytes(PERSON)).toBeGreaterThan(200);
    expect(bytes(PERSON)).toBeLessThan(350);
    expect(bytes(AUCTION)).toBeGreaterThan(500);
    expect(bytes(AUCTION)).toBeLessThan(700);
    expect(bytes(BID)).toBeGreaterThan(100);
    expect(bytes(BID)).toBeLessThan(300);
  });

  it('nexmark generator - deterministic per event number: strands of any width make the same stream', () => {
    expect(eventOf(config, 12_345)).toEqual(eventOf(config, 12_345));
    expect(eventOf(config, 12_345)).toEqual(all[12_345]);
    for (const p of [2, 3, 7]) {
      const merged: NexmarkEvent[] = [];
      for (let i = 0; i < p; i++) for (let n = i; n < 2000; n += p) merged[n] = eventOf(config, n);
      expect(merged).toEqual(all.slice(0, 2000));
    }
  });
});
