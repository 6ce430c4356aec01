/**
 * One temporary folder per test run: every test, and every cluster or CLI it starts, writes its
 * temporary files below it (TMPDIR is inherited by the test processes and their children). It is
 * removed when the run ends, and also on SIGINT/SIGTERM, so an interrupted run leaves nothing in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'miniflink-test-run-'));
  process.env['TMPDIR'] = dir;
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    // Where vitest listens too, it ends the run; otherwise end as the signal says.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', remove);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    remove();
  };
}
