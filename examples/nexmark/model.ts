/**
 * Nexmark's event model (github.com/nexmark/nexmark, as Flink's Nexmark benchmark uses it): an
 * online auction where people register, open auctions and bid. Field names and meanings are
 * Nexmark's; times are epoch milliseconds.
 */

/** Someone registering (Nexmark's Person). */
export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  /** Padding up to the average size of a person event (200 bytes). */
  readonly extra: string;
}

/** An auction opened by a seller (Nexmark's Auction). */
export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  /** When the auction closes. */
  readonly expires: number;
  /** The seller's person id. */
  readonly seller: number;
  readonly category: number;
  /** Padding up to the average size of an auction event (500 bytes). */
  readonly extra: string;
}

/** A bid on an auction (Nexmark's Bid). */
export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  /** In cents. */
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  /** Padding up to the average size of a bid event (100 bytes). */
  readonly extra: string;
}

/** The three kinds of event (Nexmark's Event.Type). */
export const PERSON = 0;
export const AUCTION = 1;
export const BID = 2;

/** One event of the generator's stream: exactly one of the three is set (Nexmark's Event). */
export interface NexmarkEvent {
  readonly type: typeof PERSON | typeof AUCTION | typeof BID;
  readonly person: Person | null;
  readonly auction: Auction | null;
  readonly bid: Bid | null;
}

/** The event's time, whatever its kind. */
export function dateTimeOf(e: NexmarkEvent): number {
  return e.type === BID ? e.bid!.dateTime : e.type === AUCTION ? e.auction!.dateTime : e.person!.dateTime;
}
