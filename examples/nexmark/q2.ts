/**
 * Nexmark q2, selection: the bids on auctions whose id is a multiple of 123 (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q2.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q2 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q2', q2);
