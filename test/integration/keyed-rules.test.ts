/**
 * Rules of keyed functions through the real CLI (test/jobs/keyed-rules-job.ts): an async keyed
 * function fails the job clearly; applyToKeyedState has visited every key when it returns, on both
 * backends; a non-deterministic key selector fails with Flink's key group message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-keyed-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
const run = (mode: string, backend = 'hashmap') => {
  const args = ['run', '-t', 'local', 'test/jobs/keyed-rules-job.ts', mode, backend, join(root, `markers-${runs++}`)];
  return runCli(args, { timeoutMs: 60_000 }).then((r) => ({ r, args }));
};

describe('keyed rules', () => {
  it('keyed rules - an async KeyedProcessFunction fails the job with MF_ERR_INVALID_PROGRAM naming the function and the task', async () => {
    const { r, args } = await run('async');
    expect(r.code, explain(args, r)).toBe(1);
    expect(r.stderr).toContain(
      "The KeyedProcessFunction AsyncCount of operator 'KeyedProcess' in task 'KeyedProcess -> Sink: Print to Std. Out (1/1)' returned a Promise from processElement(): user functions must be synchronous, as Flink's are",
    );
    expect(r.stderr).toContain('MF_ERR_INVALID_PROGRAM');
    // Not retried: the same function fails the same way every time.
    expect(r.stderr.match(/returned a Promise/g)).toHaveLength(1);
  });

  for (const backend of ['hashmap', 'leveldb']) {
    it(`keyed rules - applyToKeyedState has visited every key when it returns (${backend})`, async () => {
      const { r, args } = await run('apply', backend);
      expect(r.code, explain(args, r)).toBe(0);
      const printed = r.stdout.split('\n').filter((l) => /count=|applyToKeyedState/.test(l));
      expect(printed, explain(args, r)).toEqual([
        'a count=1 rule=-',
        'b count=1 rule=-',
        'c count=1 rule=-',
        'a count=2 rule=-',
        'after applyToKeyedState: visited=3 a=2,b=1,c=1',
        'a count=201 rule=100',
        'd count=1 rule=100',
      ]);
    });
  }

  it("keyed rules - a key selector with a random part fails the job with Flink's key group message", async () => {
    const { r, args } = await run('random');
    expect(r.code, explain(args, r)).toBe(1);
    expect(r.stderr).toMatch(
      /Key group \d+ is not in KeyGroupRange\{startKeyGroup=(0|64), endKeyGroup=(63|127)\}\. Unless you're directly using low level state access APIs, this is most likely caused by non-deterministic shuffle key \(hashCode and equals implementation\)\./,
    );
    expect(r.stderr).toContain('MF_ERR_INVALID_KEY');
  });
});
