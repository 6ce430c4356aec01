/** The settings and rules of broadcast-job.ts, shared with its test (which computes the expected output). */
import type { SensorSourceSettings } from '../../examples/sensors.js';

export const BROADCAST_SETTINGS: SensorSourceSettings = { partitions: 5, perPartition: 300, sensors: 3, pauseMs: 5 };

/** A threshold rule for one partition's sensors. */
export interface Rule {
  readonly partition: number;
  readonly threshold: number;
  readonly round: number;
}

/** Two rounds of rules; the second is final. */
export const RULES: readonly Rule[] = [
  ...Array.from({ length: BROADCAST_SETTINGS.partitions }, (_, p) => ({ partition: p, threshold: 100 + 5 * p, round: 1 })),
  ...Array.from({ length: BROADCAST_SETTINGS.partitions }, (_, p) => ({ partition: p, threshold: 90 + 7 * p, round: 2 })),
];
