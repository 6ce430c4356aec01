/**
 * Flink's DiscardingSink: drops every record (benchmarks, jobs run for their side effects).
 */
import { RichSinkFunction } from '../functions/sink-function.js';

/** Drops every record. */
export class DiscardingSink<T> extends RichSinkFunction<T> {
  /** Does nothing. */
  invoke(_value: T): void {}
}
