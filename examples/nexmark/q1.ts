/**
 * Nexmark q1, currency conversion: every bid's price in euros (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q1.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q1 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q1', q1);
