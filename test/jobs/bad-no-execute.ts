// A module that builds a pipeline but never calls execute().
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromElements(1, 2, 3).print();
