/**
 * Connected streams (issue #15, first step) through the CLI at parallelism 1 and 3, exact results:
 * a KeyedCoProcessFunction with keyed state on both sides and event-time timers (Flink training's
 * rides and fares), a CoMapFunction, and a keyed RichCoFlatMapFunction whose keyed state both
 * inputs share; watermarks of two-input operators whose inputs go idle; and the plan names the
 * two-input operators as Flink does.
 */
import { describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

async function run(mode: string, p: number): Promise<string[]> {
  const args = ['run', '-t', 'local', 'test/jobs/connect-job.ts', mode, String(p)];
  const r = await runCli(args, { timeoutMs: 60_000 });
  expect(r.code, explain(args, r)).toBe(0);
  return (JSON.parse(/RESULT (.*)/.exec(r.stdout)![1]!) as string[]).sort();
}

describe('connected streams', () => {
  it.each([1, 3])('connect - rides and fares: a KeyedCoProcessFunction pairs both sides by key, timers report the unmatched (p=%i)', async (p) => {
    const expected = Array.from({ length: 500 }, (_, i) => i + 1)
      .map((id) => (id % 10 === 0 ? `unmatched ${id}` : `${id} ${id * 2}`))
      .sort();
    expect(await run('rides-fares', p)).toEqual(expected);
  }, 90_000);

  it.each([1, 3])('connect - CoMap and a keyed RichCoFlatMap sharing keyed state across both inputs (p=%i)', async (p) => {
    const words = Array.from({ length: 60 }, (_, i) => 'x'.repeat(1 + (i % 7)));
    const comap = [...Array.from({ length: 100 }, (_, i) => `n:${i + 1}`), ...words.map((w) => `w:${w}`)].sort();
    expect(await run('comap', p)).toEqual(comap);
    // Per key k (n % 3 and word length % 3 share it): the counts 1..(numbers + words of that key), whichever input they came from.
    const lines = await run('coflatmap', p);
    for (let k = 0; k < 3; k++) {
      const total = Array.from({ length: 100 }, (_, i) => i + 1).filter((n) => n % 3 === k).length + words.filter((w) => w.length % 3 === k).length;
      const counts = lines
        .filter((l) => l.startsWith(`n${k} `) || l.startsWith(`w${k} `))
        .map((l) => Number(l.split(' ')[1]))
        .sort((a, b) => a - b);
      expect(counts, `key ${k}`).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
  }, 90_000);

  it.each([1, 3])('connect - one side keyed, the other not (as Flink allows): keyed state on the keyed side, exact per-key counts; no timers (p=%i)', async (p) => {
    const perKey = (lines: string[]) => {
      for (let k = 0; k < 3; k++) {
        const counts = lines
          .filter((l) => l.startsWith(`n${k} `))
          .map((l) => Number(l.split(' ')[1]))
          .sort((a, b) => a - b);
        const total = Array.from({ length: 100 }, (_, i) => i + 1).filter((n) => n % 3 === k).length;
        expect(counts, `key ${k}`).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      }
      return lines.filter((l) => l.startsWith('w:'));
    };
    const words = Array.from({ length: 60 }, (_, i) => 'x'.repeat(1 + (i % 7)));
    expect(perKey(await run('mixed-flatmap', p))).toEqual(words.map((w) => `w:${w}`).sort());
    expect(perKey(await run('mixed-process', p))).toEqual(words.map((w) => `w:${w} Setting timers is only supported on a keyed streams.`).sort());
    const r = await runCli(['info', 'test/jobs/connect-job.ts', 'mixed-process', String(p)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Co-Process');
  }, 90_000);

  it('connect - idle inputs: a valve per input, and the minimum over the active inputs, which does not advance while both are idle (as Flink)', async () => {
    const idle = async (mode: string) => {
      const args = ['run', '-t', 'local', 'test/jobs/two-input-idle-job.ts', mode];
      const r = await runCli(args, { timeoutMs: 60_000 });
      expect(r.code, explain(args, r)).toBe(0);
      return JSON.parse(/RESULT (.*)/.exec(r.stdout)![1]!) as string[];
    };
    // Both inputs idle: the interval join's watermark stays at the right input's 80, so b2@90 is not late (it went past at 100).
    expect(await idle('interval')).toEqual(['a1-b1', 'a1-b2']);
    // Input 1's valve holds 100 after its channels went idle and one came back: input 2 at 150 does not fire the timer at 120.
    expect(await idle('resume')).toEqual(['a1 -9223372036854776000', 'a2 80', 'b1 80', 'timer 120 at 9223372036854776000']);
  }, 90_000);

  it('connect - the plan names the two-input operators as Flink does', async () => {
    const r = await runCli(['info', 'test/jobs/connect-job.ts', 'rides-fares', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('KeyedCoProcess');
  });
});
