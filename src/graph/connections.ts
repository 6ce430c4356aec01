/**
 * Which producer subtasks connect to which consumer subtasks on an edge (Flink's
 * EdgeManagerBuildUtil): FORWARD and RESCALE are POINTWISE, every other strategy is ALL_TO_ALL.
 *
 *   pointwise, 2 -> 4:  p0 -> c0,c1   p1 -> c2,c3
 *   pointwise, 4 -> 2:  p0,p1 -> c0   p2,p3 -> c1
 */
import type { ShipStrategy } from './job-graph.js';

/** Whether the strategy connects each producer to a subset of the consumers. */
export function isPointwise(strategy: ShipStrategy): boolean {
  return strategy === 'FORWARD' || strategy === 'RESCALE';
}

/** The consumer subtasks producer `i` writes to, in channel order. */
export function consumersOf(strategy: ShipStrategy, producers: number, consumers: number, i: number): number[] {
  if (!isPointwise(strategy)) return Array.from({ length: consumers }, (_, j) => j);
  if (producers === consumers) return [i];
  if (producers > consumers) {
    for (let j = 0; j < consumers; j++) {
      const start = Math.floor((j * producers) / consumers);
      const end = Math.floor(((j + 1) * producers) / consumers);
      if (i >= start && i < end) return [j];
    }
    return [];
  }
  // Flink rounds both bounds up here, so consumer j reads from producer floor(j * producers / consumers).
  const start = Math.floor((i * consumers + producers - 1) / producers);
  const end = Math.floor(((i + 1) * consumers + producers - 1) / producers);
  return Array.from({ length: end - start }, (_, k) => start + k);
}

/** The producer subtasks consumer `j` reads from. */
export function producersOf(strategy: ShipStrategy, producers: number, consumers: number, j: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < producers; i++) if (consumersOf(strategy, producers, consumers, i).includes(j)) out.push(i);
  return out;
}
