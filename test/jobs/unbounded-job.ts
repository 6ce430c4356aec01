// An endless source; executeAndCollect(limit) takes the first records and cancels the job.
import { StreamExecutionEnvironment } from 'miniflink';
import { Endless } from './endless-source.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const out = await env.addSource(new Endless()).map((x) => x * 10).executeAndCollect(25);
console.log(`RESULT ${JSON.stringify({ n: out.length, allTens: out.every((x) => x % 10 === 0) })}`);
