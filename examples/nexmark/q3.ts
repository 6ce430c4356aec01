/**
 * Nexmark q3, local item suggestion: sellers in OR, ID or CA opening auctions in category 10 (see queries.ts).
 *   npx miniflink run -t local -p 2 examples/nexmark/q3.ts [events, default 1000000] [rate, default 10000 per s of event time] [discard|print|<dir>]
 */
import { q3 } from './queries.js';
import { runQuery } from './run.js';

await runQuery('Nexmark q3', q3);
