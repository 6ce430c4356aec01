/**
 * Nexmark q4, average winning price per category (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q4.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q4 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q4', q4);
