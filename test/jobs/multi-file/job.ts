/**
 * A job spread over several files, as real jobs are: another .ts file, a JSON file, a local
 * CommonJS file (require, __filename), a data file read by path next to the module, an npm package
 * (mf-fake-pkg, reads a file next to itself through __dirname), a package with native bindings
 * (mf-fake-native: kept external) and an environment variable read at top level. The two packages
 * are written into node_modules by test/integration/bundle.test.ts (a copy of this folder).
 * Arguments: <out file>. Appends one line per record to it; every line carries the top-level values.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RichSinkFunction, StreamExecutionEnvironment } from 'miniflink';
import { shout } from 'mf-fake-pkg';
import { native } from 'mf-fake-native';
import { label } from './util.js';
import settings from './settings.json' with { type: 'json' };
import legacy from './legacy.cjs';

const out = process.argv[2]!;
const greeting = process.env.MF_BUNDLE_GREETING ?? 'unset';
const words = readFileSync(new URL('./words.txt', import.meta.url), 'utf8').trim().split('\n');
const where = `${basename(fileURLToPath(import.meta.url))}/${basename(process.argv[1]!)}`;

class Appender extends RichSinkFunction<string> {
  invoke(v: string): void {
    appendFileSync(out, `${v}\n`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env
  .fromSequence(1, 12)
  .map((n) => [label(n), n * settings.factor, greeting, shout(words[n % words.length]!), native(), legacy.file, legacy.eol, where].join(' '))
  // The name depends on the environment too: the JobManager and the slot threads must agree on it.
  .name(`greet-${greeting}`)
  .addSink(new Appender());
await env.execute(`multi-file ${greeting}`);
