// A job whose graph differs between the submitting process and the slot threads.
import { isMainThread } from 'node:worker_threads';
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
let s = env.fromElements(1, 2, 3);
if (isMainThread) s = s.map((x) => x * 2);
s.print();
await env.execute('mismatch');
