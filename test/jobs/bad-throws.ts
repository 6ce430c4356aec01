// A module that throws while building its graph.
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromElements(1, 2, 3).print();
throw new Error('config file missing: cannot build the pipeline');
