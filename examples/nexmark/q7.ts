/**
 * Nexmark q7, highest bid: the highest bids of each tumbling window (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q7.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q7 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q7', q7);
