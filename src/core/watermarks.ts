/**
 * Watermark bounds as Flink's: Long.MIN_VALUE before any watermark arrived (exactly -2^63 as a
 * number) and Long.MAX_VALUE as the final watermark of a bounded input (2^63 as a number).
 */

/** The watermark before any arrived (Flink's Long.MIN_VALUE). */
export const MIN_WATERMARK = -(2 ** 63);
/** The final watermark: the end of a bounded input (Flink's Watermark.MAX_WATERMARK, Long.MAX_VALUE). */
export const MAX_WATERMARK = 2 ** 63;
