// A CPU-bound map at the parallelism given by -p; reports which threads ran its subtasks.
import { threadId } from 'node:worker_threads';
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const out = await env
  .fromSequence(1, 4000)
  .map((n: number) => {
    let x = n;
    for (let i = 0; i < 2000; i++) x = (x * 1103515245 + 12345) % 2147483648;
    return { thread: threadId, x };
  })
  .executeAndCollect('threads');
console.log(`RESULT ${JSON.stringify({ n: out.length, threads: new Set(out.map((r) => r.thread)).size })}`);
