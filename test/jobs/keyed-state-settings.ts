/** The sensor source settings of keyed-state-job.ts, shared with its test (which computes the expected output). */
import type { SensorSourceSettings } from '../../examples/sensors.js';

export const SETTINGS: SensorSourceSettings = { partitions: 6, perPartition: 400, sensors: 4, pauseMs: 5 };
