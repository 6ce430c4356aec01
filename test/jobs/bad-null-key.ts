// keyBy on a field that is undefined for some records.
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .fromElements({ user: 'a' }, { name: 'b' } as { user?: string })
  .keyBy((r) => r.user)
  .map((r) => r)
  .print();
await env.execute('null key');
