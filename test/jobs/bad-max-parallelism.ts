// A max parallelism of 4 with the parallelism from -p.
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setMaxParallelism(4);
env.fromSequence(1, 10).map((x) => x).print();
await env.execute('max parallelism');
