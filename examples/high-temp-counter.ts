/**
 * High temperature counter ("Stream Processing with Apache Flink", chapter 7): a function that is
 * both keyed (a count per sensor in keyed ValueState) and a CheckpointedFunction (a count per
 * subtask in operator list state), fed by a source that keeps its per-partition offsets in
 * operator list state, as a Kafka consumer does.
 *   npx miniflink run -t local -p 2 examples/high-temp-counter.ts
 */
import { StreamExecutionEnvironment } from 'miniflink';
import { HighTempCounter, SensorSource } from './sensors.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(1000);
env
  .addSource(new SensorSource({ partitions: 4, perPartition: 25, sensors: 3 }))
  .uid('sensors')
  .keyBy((r) => r.id)
  .flatMap(new HighTempCounter(120))
  .uid('high-temp-counter')
  .print();
await env.execute('High temperature counter');
