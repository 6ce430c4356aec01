/** A job whose source ignores cancel() (it awaits a promise that never settles): `miniflink bench --timeout` must still stop promptly. */
import { DiscardingSink, StreamExecutionEnvironment, type SourceFunction } from 'miniflink';

const deaf: SourceFunction<number> = {
  run: () => new Promise<void>(() => {}),
  cancel: () => {},
};
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.addSource(deaf).addSink(new DiscardingSink());
await env.execute('deaf');
