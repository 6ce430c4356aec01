/** A job that never ends (an endless source into a discarding sink): what `miniflink bench` must stop, saying why. */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';
import { Endless } from './endless-source.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.addSource(new Endless()).addSink(new DiscardingSink());
await env.execute('endless');
