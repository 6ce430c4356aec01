#!/usr/bin/env node
// The miniflink command. The implementation is compiled TypeScript in dist/ (npm install builds it).
import { main } from '../dist/cli/main.js';

process.setSourceMapsEnabled(true);

const write = (stream) => (line) => stream.write(`${line}\n`);
const code = await main(process.argv.slice(2), { out: write(process.stdout), err: write(process.stderr) });
// Exit once stdout and stderr are flushed; a job module may leave handles open (servers, timers).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
