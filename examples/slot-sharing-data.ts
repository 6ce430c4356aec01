/**
 * The data of examples/slot-sharing.ts (the book's chapter 10 slot-sharing example): sensors'
 * readings in Fahrenheit, their thresholds in Celsius, and the alerts the job prints for them.
 */

/** A reading of a sensor in Fahrenheit. */
export interface Reading {
  readonly sensor: string;
  readonly fahrenheit: number;
}

/** A reading converted to Celsius. */
export interface CelsiusReading {
  readonly sensor: string;
  readonly celsius: number;
}

/** A sensor's threshold in Celsius, or the end of a threshold subtask's list. */
export type Threshold = { readonly sensor: string; readonly celsius: number } | { readonly done: true };

export const SENSORS = 8;
export const THRESHOLD_SUBTASKS = 2;

/** Reading i of sensor s: deterministic, 14..113 °F. */
export const fahrenheitOf = (s: number, i: number): number => 14 + ((s * 37 + i * 11) % 100);
/** Sensor s's threshold: 20..34 °C. */
export const thresholdOf = (s: number): number => 20 + ((s * 7) % 15);
/** Fahrenheit to Celsius, to a tenth of a degree. */
export const toCelsius = (f: number): number => Math.round(((f - 32) * 5) / 9 * 10) / 10;

/** The alerts the job prints for `perSensor` readings of each sensor (in no particular order). */
export function expectedAlerts(perSensor: number): string[] {
  const out: string[] = [];
  for (let s = 0; s < SENSORS; s++) {
    for (let i = 0; i < perSensor; i++) {
      const c = toCelsius(fahrenheitOf(s, i));
      if (c > thresholdOf(s)) out.push(`sensor_${s} ${c} > ${thresholdOf(s)}`);
    }
  }
  return out;
}
