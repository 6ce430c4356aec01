/**
 * Nexmark q0, pass-through: every bid as it is (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q0.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q0 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q0', q0);
