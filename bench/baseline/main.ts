/**
 * A hand-written loop of bench/baseline/loops.ts alone in a process, as bench/per-record.ts times
 * it (whole process, start-up included): `tsx bench/baseline/main.ts <floor|keyed|stateless|cpu> <records>`.
 */
import { blackhole, cpuBoundLoop, keyedLoop, keyedSerializingLoop, statelessLoop } from './loops.js';

const [which, n] = process.argv.slice(2);
const loops: Record<string, (n: number) => number> = { floor: keyedSerializingLoop, keyed: keyedLoop, stateless: statelessLoop, cpu: cpuBoundLoop };
const loop = loops[which ?? ''];
if (loop === undefined || !(Number(n) > 0)) throw new Error(`usage: main.ts <${Object.keys(loops).join('|')}> <records>`);
loop(Number(n));
void blackhole();
