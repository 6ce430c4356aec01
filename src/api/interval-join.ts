/**
 * Flink's interval join (KeyedStream.IntervalJoin / IntervalJoined):
 *
 *   left.keyBy(k1).intervalJoin(right.keyBy(k2)).between(lower, upper)
 *       [.lowerBoundExclusive()] [.upperBoundExclusive()]
 *       [.sideOutputLeftLateData(tag)] [.sideOutputRightLateData(tag)]
 *       .process(ProcessJoinFunction)
 *
 * joins each left record `l` with every right record `r` of the same key whose timestamp lies in
 * `[l.ts + lower, l.ts + upper]` (bounds inclusive unless made exclusive), in event time only. The
 * operator (`Interval Join` in the plan) buffers both sides in keyed state until the watermark
 * passes the last time they could still match (Flink's cleanup by watermark), and drops (or sends
 * to the side output) records that arrive behind the watermark.
 */
import { checkArgument, MiniFlinkError } from '../core/errors.js';
import type { DataStream } from './data-stream.js';
import type { KeySelector } from './functions/functions.js';
import { OutputTag } from './functions/process-function.js';
import type { ProcessJoinFunctionLike } from './functions/join-functions.js';
import type { KeyedStream } from './keyed-stream.js';
import { toMillis, type DurationLike } from './time.js';
import type { Transformation } from './transformation.js';

/** Makes the joined stream of a transformation (the keyed stream's module owns DataStream's constructor). */
export type StreamOf = (t: Transformation) => DataStream<unknown>;

/** Flink's KeyedStream.IntervalJoin: two keyed streams, before the bounds are given. */
export class IntervalJoin<T1, T2, K> {
  private eventTime = true;

  constructor(
    readonly left: KeyedStream<T1, K>,
    readonly right: KeyedStream<T2, K>,
    private readonly streamOf: StreamOf,
  ) {
    if (left.env !== right.env) throw new TypeError('intervalJoin() takes a stream of the same StreamExecutionEnvironment');
  }

  /** Joins in event time (the default, and the only time interval joins support). */
  inEventTime(): this {
    this.eventTime = true;
    return this;
  }

  /** Processing time: refused at between(), as in Flink. */
  inProcessingTime(): this {
    this.eventTime = false;
    return this;
  }

  /**
   * The bounds relative to a left record's timestamp: right records in `[ts + lower, ts + upper]` match.
   * @throws MF_ERR_INVALID_ARGUMENT when lower > upper; MF_ERR_INVALID_PROGRAM in processing time.
   */
  between(lowerBound: DurationLike, upperBound: DurationLike): IntervalJoined<T1, T2, K> {
    if (!this.eventTime) throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', 'Time-bounded stream joins are only supported in event time');
    const lower = toMillis(lowerBound, 'The lower bound');
    const upper = toMillis(upperBound, 'The upper bound');
    checkArgument(Number.isInteger(lower) && Number.isInteger(upper), `The bounds of an interval join are whole milliseconds, got ${lower} and ${upper}`);
    checkArgument(lower <= upper, 'lowerBound <= upperBound must be fulfilled');
    return new IntervalJoined(this.left, this.right, lower, upper, this.streamOf);
  }
}

/** Flink's KeyedStream.IntervalJoined: the bounds given, before the function. */
export class IntervalJoined<T1, T2, K> {
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLateTag: OutputTag<T1> | undefined;
  private rightLateTag: OutputTag<T2> | undefined;

  constructor(
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
    private readonly lowerBound: number,
    private readonly upperBound: number,
    private readonly streamOf: StreamOf,
  ) {}

  /** Excludes the lower bound: `ts + lower < r.ts`. */
  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }

  /** Excludes the upper bound: `r.ts < ts + upper`. */
  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }

  /** Left records behind the watermark go to this side output instead of being dropped. */
  sideOutputLeftLateData(outputTag: OutputTag<T1>): this {
    checkArgument(outputTag instanceof OutputTag, 'Side output tag must not be null.');
    this.leftLateTag = outputTag;
    return this;
  }

  /** Right records behind the watermark go to this side output instead of being dropped. */
  sideOutputRightLateData(outputTag: OutputTag<T2>): this {
    checkArgument(outputTag instanceof OutputTag, 'Side output tag must not be null.');
    this.rightLateTag = outputTag;
    return this;
  }

  /** Runs a ProcessJoinFunction on every matching pair; the output carries the larger timestamp of the two. */
  process<OUT>(fn: ProcessJoinFunctionLike<T1, T2, OUT>): DataStream<OUT> {
    const ok = typeof fn === 'function' || (typeof fn === 'object' && fn !== null && typeof (fn as { processElement?: unknown }).processElement === 'function');
    if (!ok) throw new TypeError('process() needs a ProcessJoinFunction (processElement(left, right, ctx, out))');
    const env = this.left.env;
    const keySelector1 = this.left.keySelector as KeySelector<unknown, unknown>;
    const keySelector2 = this.right.keySelector as KeySelector<unknown, unknown>;
    const t = env.addTransformation(
      'twoInput',
      'Interval Join',
      [this.left.transformation, this.right.transformation],
      {
        type: 'intervalJoin',
        fn,
        keySelector1,
        keySelector2,
        // Flink moves exclusive bounds by one millisecond, so the operator only knows inclusive ones.
        lowerBound: this.lowerInclusive ? this.lowerBound : this.lowerBound + 1,
        upperBound: this.upperInclusive ? this.upperBound : this.upperBound - 1,
        leftLateTag: this.leftLateTag as OutputTag<unknown> | undefined,
        rightLateTag: this.rightLateTag as OutputTag<unknown> | undefined,
      },
      undefined,
    );
    t.stateKeySelector = keySelector1;
    return this.streamOf(t) as DataStream<OUT>;
  }
}
