/**
 * Flink's StateTtlConfig: keyed state values that expire a fixed time after they were written
 * (or last read). Set on a descriptor with `descriptor.enableTimeToLive(config)`.
 * Expiry is per state value (for ListState and MapState: the whole list or map, where Flink
 * tracks each element).
 */

/** When the timestamp of a value is refreshed. */
export const UpdateType = { OnCreateAndWrite: 'OnCreateAndWrite', OnReadAndWrite: 'OnReadAndWrite' } as const;
/** An update type. */
export type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];

/** Whether an expired value that was not cleaned up yet may be returned. */
export const StateVisibility = { NeverReturnExpired: 'NeverReturnExpired', ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp' } as const;
/** A visibility. */
export type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];

/** Flink's StateTtlConfig. */
export class StateTtlConfig {
  private constructor(
    /** Time to live, ms. */
    readonly ttlMs: number,
    readonly updateType: UpdateType,
    readonly visibility: StateVisibility,
  ) {}

  /** Flink's StateTtlConfig.newBuilder(ttl): ttl in ms (or a Time's milliseconds). */
  static newBuilder(ttl: number | { toMilliseconds(): number }): StateTtlConfigBuilder {
    const ms = typeof ttl === 'number' ? ttl : ttl.toMilliseconds();
    if (!(ms > 0)) throw new RangeError(`The state TTL must be positive, got ${ms}`);
    return new StateTtlConfigBuilder(ms, (t, u, v) => new StateTtlConfig(t, u, v));
  }
}

/** Builds a StateTtlConfig. */
export class StateTtlConfigBuilder {
  private updateType: UpdateType = 'OnCreateAndWrite';
  private visibility: StateVisibility = 'NeverReturnExpired';
  constructor(
    private readonly ttl: number,
    private readonly make: (ttl: number, u: UpdateType, v: StateVisibility) => StateTtlConfig,
  ) {}
  /** When the timestamp is refreshed. */
  setUpdateType(t: UpdateType): this {
    this.updateType = t;
    return this;
  }
  /** Flink's updateTtlOnCreateAndWrite(). */
  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType('OnCreateAndWrite');
  }
  /** Flink's updateTtlOnReadAndWrite(). */
  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType('OnReadAndWrite');
  }
  /** Whether expired values may be returned. */
  setStateVisibility(v: StateVisibility): this {
    this.visibility = v;
    return this;
  }
  /** Flink's neverReturnExpired(). */
  neverReturnExpired(): this {
    return this.setStateVisibility('NeverReturnExpired');
  }
  /** Flink's returnExpiredIfNotCleanedUp(). */
  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility('ReturnExpiredIfNotCleanedUp');
  }
  /** The config. */
  build(): StateTtlConfig {
    return this.make(this.ttl, this.updateType, this.visibility);
  }
}
