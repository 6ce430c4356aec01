/**
 * Flink's SinkFunction and RichSinkFunction.
 */
import { AbstractRichFunction } from './rich-function.js';

/** The context of SinkFunction.invoke. */
export interface SinkContext {
  /** The record's timestamp, or null. */
  timestamp(): number | null;
  /** The current processing time. */
  currentProcessingTime(): number;
  /** The current watermark. */
  currentWatermark(): number;
}

/** A sink: a function `(value, context) => void` or an object with invoke(). May return a promise. */
export type SinkFunction<T> = ((value: T, context: SinkContext) => void | Promise<void>) | { invoke(value: T, context: SinkContext): void | Promise<void> };

/** Flink's RichSinkFunction. */
export abstract class RichSinkFunction<T> extends AbstractRichFunction {
  /** Writes one record. */
  abstract invoke(value: T, context: SinkContext): void | Promise<void>;
  /** Called once at the end of a bounded input, before close(). */
  finish(): void | Promise<void> {}
}
