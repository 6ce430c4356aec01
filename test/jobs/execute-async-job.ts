// Submits its job with executeAsync() and returns without awaiting it, as a Java main() returns
// right after executeAsync(): the CLI must still see (and wait for) the submission.
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromElements(1, 2, 3).map((x) => `async ${x * 2}`).print();
void env.executeAsync('execute-async-job');
console.log('main returned');
