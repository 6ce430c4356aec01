/**
 * Nexmark q5, hot items: the auctions with the most bids per sliding window (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q5.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q5 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q5', q5);
