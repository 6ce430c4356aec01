// keyBy on a key that cannot be compared by value (it holds a function): the job fails at once.
import { RestartStrategies, StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 10));
env
  .fromElements('a', 'b')
  .map((id) => ({ id, score: () => id.length }))
  .keyBy((r) => r)
  .map((r) => r.id)
  .print();
await env.execute('bad key');
