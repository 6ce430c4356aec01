/**
 * The taxi data of Flink's training exercises (apache/flink-training, `common`): TaxiRide and
 * TaxiFare events and their generators, shared by examples/hourly-tips.ts and
 * examples/long-ride-alerts.ts (and their tests).
 *
 * As in the training's DataGenerator, every field is a deterministic function of the ride id,
 * drawn from java.util.Random seeded with it (ported below, so the values are the training's):
 * ride n starts 20 s after ride n - 1 (from 2020-01-01T12:00:00Z), lasts a gaussian number of
 * minutes (mean 20, stddev 40, within 0..600: a few rides last over two hours), is driven by one of
 * 200 drivers, and tips a gaussian amount (mean 10, stddev 15, within 0..60).
 *
 * The training's generators run forever; these stop after `rides` rides, so that a job ends and its
 * output can be checked exactly. TaxiRideGenerator emits START events in batches of 5 (shuffled),
 * each END event once the batch's latest start has passed it (so a few END events come before
 * their START), and at the end every END event still pending.
 */
import { RichSourceFunction, type SourceContext } from 'miniflink';

/** The training's DataGenerator.BEGINNING: 2020-01-01T12:00:00Z. */
export const BEGINNING = Date.UTC(2020, 0, 1, 12, 0, 0);
const SECONDS_BETWEEN_RIDES = 20;
const NUMBER_OF_DRIVERS = 200;

// ---- java.util.Random ----

const MULTIPLIER = 0x5deece66dn;
const MASK = (1n << 48n) - 1n;

/** java.util.Random (a 48-bit linear congruential generator), for the training's exact values. */
export class JavaRandom {
  private seed: bigint;
  private nextNextGaussian = 0;
  private haveNextNextGaussian = false;
  constructor(seed: number) {
    this.seed = (BigInt(seed) ^ MULTIPLIER) & MASK;
  }
  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + 0xbn) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }
  /** Java's nextInt(bound). */
  nextInt(bound: number): number {
    let r = this.next(31);
    const m = bound - 1;
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n);
    for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = this.next(31));
    return r;
  }
  /** Java's nextDouble(). */
  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }
  /** Java's nextGaussian() (the polar method). */
  nextGaussian(): number {
    if (this.haveNextNextGaussian) {
      this.haveNextNextGaussian = false;
      return this.nextNextGaussian;
    }
    let v1: number;
    let v2: number;
    let s: number;
    do {
      v1 = 2 * this.nextDouble() - 1;
      v2 = 2 * this.nextDouble() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s === 0);
    const multiplier = Math.sqrt((-2 * Math.log(s)) / s);
    this.nextNextGaussian = v2 * multiplier;
    this.haveNextNextGaussian = true;
    return v1 * multiplier;
  }
}

/** The training's DataGenerator.aLong: a gaussian draw seeded with the ride id, within [min, max]. */
function aLong(rideId: number, min: number, max: number, mean: number, stddev: number): number {
  const rnd = new JavaRandom(rideId);
  let value: number;
  do {
    value = Math.round(stddev * rnd.nextGaussian() + mean);
  } while (value < min || value > max);
  return value;
}

/** When ride `rideId` starts (epoch ms). */
export const startTimeOf = (rideId: number): number => BEGINNING + SECONDS_BETWEEN_RIDES * 1000 * rideId;
/** How many minutes ride `rideId` lasts. */
export const rideDurationMinutesOf = (rideId: number): number => aLong(rideId, 0, 600, 20, 40);
/** When ride `rideId` ends (epoch ms). */
export const endTimeOf = (rideId: number): number => startTimeOf(rideId) + 60_000 * rideDurationMinutesOf(rideId);
/** Who drives ride `rideId`. */
export const driverIdOf = (rideId: number): number => 2013000000 + new JavaRandom(rideId).nextInt(NUMBER_OF_DRIVERS);
/** The tip of ride `rideId`. */
export const tipOf = (rideId: number): number => aLong(rideId, 0, 60, 10, 15);

// ---- the events ----

/** The training's TaxiRide: a START or an END event of a ride. */
export interface TaxiRide {
  readonly rideId: number;
  readonly isStart: boolean;
  /** The start time for a START event, the end time for an END event (epoch ms). */
  readonly eventTime: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly passengerCnt: number;
  readonly taxiId: number;
  readonly driverId: number;
}

/** The training's TaxiFare: what a ride cost. */
export interface TaxiFare {
  readonly rideId: number;
  readonly taxiId: number;
  readonly driverId: number;
  /** When the ride started (the fare's event time, epoch ms). */
  readonly startTime: number;
  readonly paymentType: 'CARD' | 'CASH';
  readonly tip: number;
  readonly tolls: number;
  readonly totalFare: number;
}

/** The START (isStart) or END event of ride `rideId`. */
export function taxiRide(rideId: number, isStart: boolean): TaxiRide {
  const startTime = startTimeOf(rideId);
  const endTime = endTimeOf(rideId);
  const driverId = driverIdOf(rideId);
  return { rideId, isStart, eventTime: isStart ? startTime : endTime, startTime, endTime, passengerCnt: aLong(rideId, 1, 4, 2.5, 0.375), taxiId: driverId, driverId };
}

/** The fare of ride `rideId`. */
export function taxiFare(rideId: number): TaxiFare {
  const driverId = driverIdOf(rideId);
  const tip = tipOf(rideId);
  const tolls = rideId % 10 === 0 ? aLong(rideId, 0, 5, 2.5, 0.625) : 0;
  return { rideId, taxiId: driverId, driverId, startTime: startTimeOf(rideId), paymentType: rideId % 2 === 0 ? 'CARD' : 'CASH', tip, tolls, totalFare: 3 + rideDurationMinutesOf(rideId) + tip + tolls };
}

/** The training's TaxiRideGenerator's batch size. */
const BATCH_SIZE = 5;

/** Shuffles in place with a seeded generator (the training uses Collections.shuffle(list, new Random(id))). */
function shuffle<T>(items: T[], rnd: JavaRandom): void {
  for (let i = items.length; i > 1; i--) {
    const j = rnd.nextInt(i);
    [items[i - 1], items[j]] = [items[j]!, items[i - 1]!];
  }
}

/** Every event TaxiRideGenerator emits for `rides` rides, in order (what a test compares with). */
export function rideEvents(rides: number): TaxiRide[] {
  const out: TaxiRide[] = [];
  const endQueue: TaxiRide[] = [];
  let maxStartTime = 0;
  for (let id = 0; id < rides; id += BATCH_SIZE) {
    const starts: TaxiRide[] = [];
    for (let i = 1; i <= BATCH_SIZE && id + i <= rides; i++) {
      const ride = taxiRide(id + i, true);
      starts.push(ride);
      maxStartTime = Math.max(maxStartTime, ride.startTime);
      endQueue.push(taxiRide(id + i, false));
    }
    // Release the END events before the end of this batch (a few precede their START).
    endQueue.sort((a, b) => a.eventTime - b.eventTime || a.rideId - b.rideId);
    while (endQueue.length > 0 && endQueue[0]!.eventTime <= maxStartTime) out.push(endQueue.shift()!);
    shuffle(starts, new JavaRandom(id));
    out.push(...starts);
  }
  // The end of the bounded stream: the END events still pending, in order.
  out.push(...endQueue);
  return out;
}

/** The training's TaxiRideGenerator, stopping after `rides` rides; `sleepMillisPerEvent` paces it (0: as fast as it goes). */
export class TaxiRideGenerator extends RichSourceFunction<TaxiRide> {
  private running = true;
  constructor(
    private readonly rides = 10_000,
    private readonly sleepMillisPerEvent = 0,
  ) {
    super();
  }
  async run(ctx: SourceContext<TaxiRide>): Promise<void> {
    let n = 0;
    for (const ride of rideEvents(this.rides)) {
      if (!this.running) return;
      await ctx.collect(ride);
      if (this.sleepMillisPerEvent > 0 && ++n % BATCH_SIZE === 0) await new Promise((resolve) => setTimeout(resolve, BATCH_SIZE * this.sleepMillisPerEvent));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/** The training's TaxiFareGenerator (fares in order of their start time), stopping after `rides` fares. */
export class TaxiFareGenerator extends RichSourceFunction<TaxiFare> {
  private running = true;
  constructor(
    private readonly rides = 10_000,
    private readonly sleepMillisPerEvent = 0,
  ) {
    super();
  }
  async run(ctx: SourceContext<TaxiFare>): Promise<void> {
    for (let id = 1; id <= this.rides && this.running; id++) {
      await ctx.collect(taxiFare(id));
      if (this.sleepMillisPerEvent > 0) await new Promise((resolve) => setTimeout(resolve, this.sleepMillisPerEvent));
    }
  }
  cancel(): void {
    this.running = false;
  }
}
