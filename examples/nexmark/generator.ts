/**
 * A deterministic Nexmark event generator, written here after Nexmark's NexmarkGenerator and
 * GeneratorConfig (github.com/nexmark/nexmark): event n of the stream is a person, an auction or a
 * bid in the proportions 1 : 3 : 46 (by n % 50), its ids, prices, names and padding drawn from a
 * random generator seeded by n, so event n is the same whoever generates it and in whatever order.
 *
 * As Nexmark's:
 *   ids        persons and auctions are numbered from 1000 in the order they are generated
 *   sellers    an auction's seller is a "hot" seller (every 4th person id, the latest) 3 times in 4,
 *              otherwise one of the last 1000 persons (or up to 10 not yet registered)
 *   bids       on a hot auction (the latest multiple of 2) 1 time in 2, otherwise one of the 100
 *              auctions in flight (or up to 10 not yet opened); by a hot bidder (every 4th person)
 *              3 times in 4, otherwise one of the last 1000 persons
 *   prices     10^(6 * uniform) dollars, in cents; an auction's reserve is above its initial bid
 *   expires    an auction stays open for 1 ms up to twice the time 100 auctions take to open
 *   categories 10..14; states AZ, CA, ID, OR, WA, WY and ten cities
 *   sizes      `extra` pads events to about 200 (person), 500 (auction), 100 (bid) bytes
 *   time       event n at baseTime + n * 1000 / rate ms: event time advances with the rate
 *
 * The random numbers come from a small seeded generator (not Java's java.util.Random), so the
 * values differ from the Java generator's; the model, proportions and skew are the same.
 *
 * Parallel: subtask i of p generates the events n = i, i + p, i + 2p, ... (its strand), so the
 * union of all subtasks is the stream of one generator and every subtask's event time advances
 * together. A strand's position is operator list state: a restore at another parallelism hands the
 * strands out round-robin and each subtask merges those it got in event order.
 */
import {
  ListStateDescriptor,
  RichParallelSourceFunction,
  WatermarkStrategy,
  type CheckpointedFunction,
  type DataStream,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
  type StreamExecutionEnvironment,
} from 'miniflink';
import { AUCTION, BID, PERSON, dateTimeOf, type Auction, type Bid, type NexmarkEvent, type Person } from './model.js';

/** What the generator generates (Nexmark's GeneratorConfig, reduced to what this generator uses). */
export interface GeneratorConfig {
  /** Events in all (0: endless). */
  readonly maxEvents: number;
  /** Events per second of event time (Nexmark's firstEventRate). */
  readonly rate: number;
  /** The time of event 0 (epoch ms). */
  readonly baseTime: number;
}

/** Defaults: a million events, 10,000 per second of event time, from 2026-01-01. */
export const DEFAULT_CONFIG: GeneratorConfig = { maxEvents: 1_000_000, rate: 10_000, baseTime: Date.UTC(2026, 0, 1) };

// Nexmark's constants.
const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const TOTAL_PROPORTION = 50;
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const NUM_ACTIVE_PEOPLE = 1000;
const PERSON_ID_LEAD = 10;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const AUCTION_ID_LEAD = 10;
const HOT_AUCTION_RATIO = 2;
const HOT_BIDDER_RATIO = 4;
const HOT_SELLER_RATIO = 4;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const HOT_URLS = HOT_CHANNELS.map((_, i) => `https://www.nexmark.com/hot/item.htm?query=1&channel_id=${i}`);

/** A seeded random generator (mulberry32): the same seed, the same numbers. */
class Random {
  private s: number;
  constructor(seed: number) {
    // Spread consecutive seeds (event numbers) apart.
    this.s = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.floor(seed / 4294967296);
  }
  /** Uniform in [0, 1). */
  nextDouble(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }
}

/** Lowercase letters and spaces, for padding and names (a slice of one random pool: cheap). */
const POOL = (() => {
  const r = new Random(42);
  let s = '';
  for (let i = 0; i < 8192; i++) s += r.nextInt(13) === 0 ? ' ' : String.fromCharCode(97 + r.nextInt(26));
  return s;
})();
function nextString(r: Random, length: number): string {
  const at = r.nextInt(POOL.length - length);
  return POOL.slice(at, at + length);
}
/** Padding up to about `average` bytes for an event of `size` bytes (Nexmark's nextExtra: within 20%). */
function nextExtra(r: Random, size: number, average: number): string {
  if (size > average) return '';
  const want = average - size;
  const delta = Math.round(want * 0.2);
  return nextString(r, want - delta + (delta === 0 ? 0 : r.nextInt(2 * delta)));
}
/** 10^(6 * uniform) dollars in cents (Nexmark's PriceGenerator). */
const nextPrice = (r: Random): number => Math.round(10 ** (r.nextDouble() * 6) * 100);

/** The base-0 id of the last person generated by event n (Nexmark's lastBase0PersonId). */
function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  let offset = n % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}
/** The base-0 id of the last auction generated by event n (Nexmark's lastBase0AuctionId). */
function lastBase0AuctionId(n: number): number {
  let epoch = Math.floor(n / TOTAL_PROPORTION);
  let offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) offset = AUCTION_PROPORTION - 1;
  else offset -= PERSON_PROPORTION;
  return epoch * AUCTION_PROPORTION + offset;
}
/** One of the active persons, or one about to register (Nexmark's nextBase0PersonId). */
function nextBase0PersonId(n: number, r: Random): number {
  const numPeople = lastBase0PersonId(n) + 1;
  const active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
  return numPeople - active + r.nextInt(active + PERSON_ID_LEAD);
}
/** One of the auctions in flight, or one about to open (Nexmark's nextBase0AuctionId). */
function nextBase0AuctionId(n: number, r: Random): number {
  const max = lastBase0AuctionId(n);
  const min = Math.max(max - NUM_IN_FLIGHT_AUCTIONS, 0);
  return min + r.nextInt(max - min + 1 + AUCTION_ID_LEAD);
}

/** The time of event n. */
export function timestampOf(config: GeneratorConfig, n: number): number {
  return config.baseTime + Math.floor((n * 1000) / config.rate);
}

function person(config: GeneratorConfig, n: number, r: Random): Person {
  const id = lastBase0PersonId(n) + FIRST_PERSON_ID;
  const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
  const emailAddress = `${nextString(r, 7)}@${nextString(r, 5)}.com`;
  const creditCard = `${1000 + r.nextInt(9000)} ${1000 + r.nextInt(9000)} ${1000 + r.nextInt(9000)} ${1000 + r.nextInt(9000)}`;
  const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
  const state = US_STATES[r.nextInt(US_STATES.length)]!;
  const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length + 8;
  return { id, name, emailAddress, creditCard, city, state, dateTime: timestampOf(config, n), extra: nextExtra(r, size, AVG_PERSON_BYTES) };
}

function auction(config: GeneratorConfig, n: number, r: Random): Auction {
  const id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
  const seller = (r.nextInt(HOT_SELLER_RATIO) > 0 ? Math.floor(lastBase0PersonId(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO : nextBase0PersonId(n, r)) + FIRST_PERSON_ID;
  const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
  const initialBid = nextPrice(r);
  const dateTime = timestampOf(config, n);
  // Open for up to twice the time until the auction NUM_IN_FLIGHT_AUCTIONS later opens (Nexmark's nextAuctionLengthMs).
  const horizon = timestampOf(config, n + Math.floor((NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION) / AUCTION_PROPORTION)) - dateTime;
  const expires = dateTime + 1 + r.nextInt(Math.max(horizon * 2, 1));
  const itemName = nextString(r, 20);
  const description = nextString(r, 100);
  const reserve = initialBid + nextPrice(r);
  const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  return { id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra: nextExtra(r, size, AVG_AUCTION_BYTES) };
}

function bid(config: GeneratorConfig, n: number, r: Random): Bid {
  const auctionId = (r.nextInt(HOT_AUCTION_RATIO) > 0 ? Math.floor(lastBase0AuctionId(n) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO : nextBase0AuctionId(n, r)) + FIRST_AUCTION_ID;
  const bidder = (r.nextInt(HOT_BIDDER_RATIO) > 0 ? Math.floor(lastBase0PersonId(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1 : nextBase0PersonId(n, r)) + FIRST_PERSON_ID;
  const price = nextPrice(r);
  let channel: string;
  let url: string;
  if (r.nextInt(HOT_CHANNELS_RATIO) > 0) {
    const i = r.nextInt(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[i]!;
    url = HOT_URLS[i]!;
  } else {
    const c = r.nextInt(CHANNELS_NUMBER);
    channel = `channel-${c}`;
    url = `https://www.nexmark.com/${nextString(r, 5)}/item.htm?query=1&channel_id=${c}`;
  }
  const size = 8 + 8 + 8 + 8;
  return { auction: auctionId, bidder, price, channel, url, dateTime: timestampOf(config, n), extra: nextExtra(r, size, AVG_BID_BYTES) };
}

/** Event n of the stream. */
export function eventOf(config: GeneratorConfig, n: number): NexmarkEvent {
  const r = new Random(n);
  const offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return { type: PERSON, person: person(config, n, r), auction: null, bid: null };
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return { type: AUCTION, person: null, auction: auction(config, n, r), bid: null };
  return { type: BID, person: null, auction: null, bid: bid(config, n, r) };
}

/** Every event of the stream, in order (what one generator emits). */
export function* events(config: GeneratorConfig): Generator<NexmarkEvent> {
  for (let n = 0; config.maxEvents === 0 || n < config.maxEvents; n++) yield eventOf(config, n);
}

/** A strand of the stream: events n = next, next + step, ... */
type Strand = [next: number, step: number];

/** The generator as a parallel source: each subtask its strand (or, after a rescale, the strands it got). */
export class NexmarkSource extends RichParallelSourceFunction<NexmarkEvent> implements CheckpointedFunction {
  private strands: Strand[] | undefined;
  private state!: ListState<Strand>;
  private running = true;

  constructor(private readonly config: GeneratorConfig) {
    super();
  }

  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<Strand>('nexmark-strands'));
    if (ctx.isRestored()) this.strands = [...this.state.get()].map(([next, step]) => [next, step]);
  }

  snapshotState(): void {
    this.state.update((this.strands ?? []).map(([next, step]) => [next, step]));
  }

  async run(ctx: SourceContext<NexmarkEvent>): Promise<void> {
    if (this.strands === undefined) {
      const rc = this.getRuntimeContext();
      this.strands = [[rc.getIndexOfThisSubtask(), rc.getNumberOfParallelSubtasks()]];
    }
    const max = this.config.maxEvents === 0 ? Infinity : this.config.maxEvents;
    const strands = this.strands;
    while (this.running) {
      // The strand whose next event comes first (one strand but after a rescale).
      let s = strands[0];
      for (const t of strands) if (s === undefined || t[0] < s[0]) s = t;
      if (s === undefined || s[0] >= max) return;
      const e = eventOf(this.config, s[0]);
      s[0] += s[1];
      const w = ctx.collect(e);
      if (w) await w;
    }
  }

  cancel(): void {
    this.running = false;
  }
}

/** The three streams of a Nexmark job, with event time from each event's dateTime. */
export interface NexmarkStreams {
  readonly events: DataStream<NexmarkEvent>;
  readonly persons: DataStream<Person>;
  readonly auctions: DataStream<Auction>;
  readonly bids: DataStream<Bid>;
}

/** Adds the generator source (monotonous event time per subtask) and splits it by kind, as Nexmark's views do. */
export function nexmarkStreams(env: StreamExecutionEnvironment, config: GeneratorConfig): NexmarkStreams {
  const events = env
    .addSource(new NexmarkSource(config), 'Nexmark Source')
    .uid('nexmark-source')
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>().withTimestampAssigner((e) => dateTimeOf(e)));
  return {
    events,
    persons: events.filter((e) => e.type === PERSON).map((e) => e.person!).name('persons'),
    auctions: events.filter((e) => e.type === AUCTION).map((e) => e.auction!).name('auctions'),
    bids: events.filter((e) => e.type === BID).map((e) => e.bid!).name('bids'),
  };
}

/** Reads `<events> [rate] [sink]` from a query job's arguments. */
export function configFromArgs(args: readonly string[]): GeneratorConfig {
  const maxEvents = args[0] !== undefined ? Number(args[0]) : DEFAULT_CONFIG.maxEvents;
  const rate = args[1] !== undefined ? Number(args[1]) : DEFAULT_CONFIG.rate;
  if (!Number.isInteger(maxEvents) || maxEvents < 0) throw new Error(`events must be a whole number >= 0, got ${args[0]}`);
  if (!(rate > 0)) throw new Error(`rate must be a positive number of events per second, got ${args[1]}`);
  return { ...DEFAULT_CONFIG, maxEvents, rate };
}
