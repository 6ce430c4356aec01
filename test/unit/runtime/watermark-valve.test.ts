/**
 * The StatusWatermarkValve against the cases of Flink's StatusWatermarkValveTest: after every input,
 * the output holds exactly the expected watermark or status, and nothing else. Where Flink's test
 * reads a channel's internal watermark or alignment, these cases check what it implies for the
 * output instead.
 */
import { describe, expect, it } from 'vitest';
import { StatusWatermarkValve, TwoInputWatermarkValve } from '../../../src/runtime/taskmanager/watermark-valve.js';

type Out = { wm: number } | 'IDLE' | 'ACTIVE';

/** A valve of `n` channels and a queue of what it emitted (popped oldest first, as Flink's test). */
function valveOf(n: number) {
  const seen: Out[] = [];
  const valve = new StatusWatermarkValve(n, { emitWatermark: (wm) => seen.push({ wm }), emitWatermarkStatus: (idle) => seen.push(idle ? 'IDLE' : 'ACTIVE') });
  const pop = (): Out | undefined => seen.shift();
  const wm = (ts: number, ch: number) => valve.inputWatermark(ts, ch);
  const status = (s: 'IDLE' | 'ACTIVE', ch: number) => valve.inputWatermarkStatus(s === 'IDLE', ch);
  return { valve, pop, wm, status };
}

describe('watermark valve', () => {
  it('valve - single input: increasing watermarks advance', () => {
    const { pop, wm } = valveOf(1);
    wm(0, 0);
    expect(pop()).toEqual({ wm: 0 });
    expect(pop()).toBeUndefined();
    wm(25, 0);
    expect(pop()).toEqual({ wm: 25 });
    expect(pop()).toBeUndefined();
  });

  it('valve - single input: decreasing watermarks yield no output', () => {
    const { pop, wm } = valveOf(1);
    wm(25, 0);
    expect(pop()).toEqual({ wm: 25 });
    wm(18, 0);
    expect(pop()).toBeUndefined();
    wm(42, 0);
    expect(pop()).toEqual({ wm: 42 });
    expect(pop()).toBeUndefined();
  });

  it('valve - single input: status toggles are forwarded once, channels start ACTIVE', () => {
    const { pop, status } = valveOf(1);
    status('ACTIVE', 0);
    expect(pop()).toBeUndefined();
    status('IDLE', 0);
    expect(pop()).toBe('IDLE');
    status('IDLE', 0);
    expect(pop()).toBeUndefined();
    status('ACTIVE', 0);
    expect(pop()).toBe('ACTIVE');
    expect(pop()).toBeUndefined();
  });

  it('valve - single input: the watermark stays intact while idle (watermarks then are ignored)', () => {
    const { valve, pop, wm, status } = valveOf(1);
    wm(25, 0);
    expect(pop()).toEqual({ wm: 25 });
    status('IDLE', 0);
    expect(pop()).toBe('IDLE');
    wm(50, 0);
    expect(pop()).toBeUndefined();
    expect(valve.watermark).toBe(25);
    status('ACTIVE', 0);
    expect(pop()).toBe('ACTIVE');
    expect(pop()).toBeUndefined();
    // Had 50 been taken while idle, this would yield nothing.
    wm(50, 0);
    expect(pop()).toEqual({ wm: 50 });
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: a watermark only once every channel has one', () => {
    const { pop, wm } = valveOf(3);
    wm(0, 0);
    wm(0, 1);
    expect(pop()).toBeUndefined();
    wm(0, 2);
    expect(pop()).toEqual({ wm: 0 });
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: the minimum is emitted as soon as it advances', () => {
    const { pop, wm } = valveOf(3);
    wm(0, 0);
    wm(0, 1);
    wm(0, 2);
    expect(pop()).toEqual({ wm: 0 });
    wm(12, 0);
    wm(8, 2);
    wm(10, 2);
    expect(pop()).toBeUndefined();
    wm(15, 1);
    expect(pop()).toEqual({ wm: 10 });
    expect(pop()).toBeUndefined();
    wm(17, 2);
    expect(pop()).toEqual({ wm: 12 });
    expect(pop()).toBeUndefined();
    wm(20, 0);
    expect(pop()).toEqual({ wm: 15 });
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: decreasing watermarks yield no output', () => {
    const { pop, wm } = valveOf(3);
    wm(25, 0);
    wm(10, 1);
    wm(17, 2);
    expect(pop()).toEqual({ wm: 10 });
    wm(12, 0);
    wm(8, 1);
    wm(15, 2);
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: IDLE only when every channel is idle, ACTIVE as soon as one is active again', () => {
    const { pop, status } = valveOf(2);
    status('ACTIVE', 0);
    status('ACTIVE', 1);
    expect(pop()).toBeUndefined();
    status('IDLE', 1);
    expect(pop()).toBeUndefined();
    status('IDLE', 0);
    expect(pop()).toBe('IDLE');
    status('IDLE', 0);
    status('IDLE', 1);
    expect(pop()).toBeUndefined();
    status('ACTIVE', 1);
    expect(pop()).toBe('ACTIVE');
    status('ACTIVE', 0);
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: with some channels idle the minimum comes from the active ones', () => {
    const { pop, wm, status } = valveOf(3);
    wm(15, 0);
    wm(10, 1);
    expect(pop()).toBeUndefined();
    status('IDLE', 2);
    expect(pop()).toEqual({ wm: 10 });
    expect(pop()).toBeUndefined();
    wm(18, 1);
    expect(pop()).toEqual({ wm: 15 });
    expect(pop()).toBeUndefined();
    wm(20, 0);
    expect(pop()).toEqual({ wm: 18 });
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: the minimum advances as channels one by one become idle', () => {
    const { pop, wm, status } = valveOf(3);
    wm(25, 0);
    wm(10, 1);
    wm(17, 2);
    expect(pop()).toEqual({ wm: 10 });
    status('IDLE', 1);
    expect(pop()).toEqual({ wm: 17 });
    status('IDLE', 2);
    expect(pop()).toEqual({ wm: 25 });
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: when the last channel goes idle the maximum is flushed, then IDLE', () => {
    const { pop, wm, status } = valveOf(3);
    wm(10, 0);
    wm(5, 1);
    wm(3, 2);
    expect(pop()).toEqual({ wm: 3 });
    status('IDLE', 0);
    status('IDLE', 1);
    expect(pop()).toBeUndefined();
    status('IDLE', 2);
    expect(pop()).toEqual({ wm: 10 });
    expect(pop()).toBe('IDLE');
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: a channel active again must catch up before it counts', () => {
    const { pop, wm, status } = valveOf(3);
    wm(10, 0);
    wm(7, 1);
    wm(3, 2);
    expect(pop()).toEqual({ wm: 3 });
    expect(pop()).toBeUndefined();
    status('IDLE', 2);
    expect(pop()).toEqual({ wm: 7 });
    expect(pop()).toBeUndefined();
    // Active again, but behind the valve's 7: not aligned.
    status('ACTIVE', 2);
    // Its watermarks are taken without moving the valve (5 < 7 would otherwise hold it back).
    wm(5, 2);
    expect(pop()).toBeUndefined();
    // 9 >= 7: aligned again.
    wm(9, 2);
    expect(pop()).toBeUndefined();
    // Now it counts: channel 1 moves to 12, the minimum over 10, 12 and 9 is 9.
    wm(12, 1);
    expect(pop()).toEqual({ wm: 9 });
    expect(pop()).toBeUndefined();
  });

  it('valve - multiple inputs: no output when every active channel is unaligned (no Long.MAX_VALUE)', () => {
    const { pop, wm, status } = valveOf(3);
    wm(10, 0);
    wm(7, 1);
    status('IDLE', 2);
    expect(pop()).toEqual({ wm: 7 });
    expect(pop()).toBeUndefined();
    status('ACTIVE', 2);
    expect(pop()).toBeUndefined();
    status('IDLE', 0);
    status('IDLE', 1);
    expect(pop()).toBeUndefined();
  });
});

/** A two-input valve over channels feeding `inputOf[c]`, and what it emitted. */
function twoInputOf(inputOf: number[]) {
  const seen: Out[] = [];
  const valve = new TwoInputWatermarkValve(inputOf, { emitWatermark: (wm) => seen.push({ wm }), emitWatermarkStatus: (idle) => seen.push(idle ? 'IDLE' : 'ACTIVE') });
  const all = (): Out[] => seen.splice(0);
  const wm = (ts: number, ch: number) => valve.inputWatermark(ts, ch);
  const status = (s: 'IDLE' | 'ACTIVE', ch: number) => valve.inputWatermarkStatus(s === 'IDLE', ch);
  return { valve, all, wm, status };
}

describe('two-input watermark valve (Flink: a valve per input, then CombinedWatermarkStatus)', () => {
  it('two inputs - the minimum of both inputs, emitted when it advances', () => {
    const { valve, all, wm } = twoInputOf([0, 1]);
    wm(10, 0);
    expect(all()).toEqual([]);
    wm(5, 1);
    expect(all()).toEqual([{ wm: 5 }]);
    wm(20, 1);
    expect(all()).toEqual([{ wm: 10 }]);
    wm(15, 0);
    expect(all()).toEqual([{ wm: 15 }]);
    expect(valve.watermark).toBe(15);
  });

  it('two inputs - an idle input stops holding the watermark back; both idle: no advance, IDLE once; ACTIVE when one returns', () => {
    const { valve, all, wm, status } = twoInputOf([0, 1]);
    wm(100, 0);
    wm(80, 1);
    expect(all()).toEqual([{ wm: 80 }]);
    // Input 0 idle: the watermark follows input 1 alone.
    status('IDLE', 0);
    expect(all()).toEqual([]);
    wm(90, 1);
    expect(all()).toEqual([{ wm: 90 }]);
    // Input 1 idle too: its own valve flushes 90 (already out); the operator's watermark stays, and the task is idle.
    status('IDLE', 1);
    expect(all()).toEqual(['IDLE']);
    expect(valve.watermark).toBe(90);
    // Input 1 back (at 95): active again; the minimum over active inputs is 95.
    status('ACTIVE', 1);
    expect(all()).toEqual(['ACTIVE']);
    wm(95, 1);
    expect(all()).toEqual([{ wm: 95 }]);
  });

  it('two inputs - both idle never jump to the larger input (it did with one valve over both inputs)', () => {
    const { valve, all, wm, status } = twoInputOf([0, 1]);
    wm(100, 0);
    wm(80, 1);
    all();
    status('IDLE', 0);
    status('IDLE', 1);
    expect(all()).toEqual(['IDLE']);
    expect(valve.watermark).toBe(80);
  });

  it("two inputs - an input's channels are combined first: all idle flushes that input's maximum, which it keeps when a channel returns", () => {
    // Channels 0 and 2 feed input 0, channel 1 input 1.
    const { valve, all, wm, status } = twoInputOf([0, 1, 0]);
    wm(100, 0);
    wm(50, 2);
    wm(80, 1);
    expect(all()).toEqual([{ wm: 50 }]);
    // Channel 0 idle: input 0 is still at its channel 2's 50.
    status('IDLE', 0);
    expect(all()).toEqual([]);
    // Input 0's last channel idle: input 0 flushes 100 and is idle; input 1 (80) is the minimum.
    status('IDLE', 2);
    expect(all()).toEqual([{ wm: 80 }]);
    expect(valve.watermark).toBe(80);
    // Channel 2 back at 50: input 0 is active again and holds its 100; input 1 going to 150 moves the operator to 100 only.
    status('ACTIVE', 2);
    expect(all()).toEqual([]);
    wm(150, 1);
    expect(all()).toEqual([{ wm: 100 }]);
  });
});
