// Reads from a socket port given as the first argument (nothing listens there).
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.socketTextStream('127.0.0.1', Number(process.argv[2])).print();
await env.execute('socket');
