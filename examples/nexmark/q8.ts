/**
 * Nexmark q8, monitor new users: who registered and opened an auction in the same window (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q8.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q8 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q8', q8);
