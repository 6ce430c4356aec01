/**
 * Temperature alerts ("Stream Processing with Apache Flink", chapter 7): a RichFlatMapFunction on
 * a KeyedStream keeps each sensor's last temperature in keyed ValueState and emits an alert when
 * a reading differs from the previous one of the same sensor by more than 1.7 degrees.
 *   npx miniflink run -t local -p 2 examples/temperature-alert.ts
 */
import { StreamExecutionEnvironment } from 'miniflink';
import { SensorSource, TemperatureAlertFunction } from './sensors.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(1000);
env
  .addSource(new SensorSource({ partitions: 4, perPartition: 25, sensors: 3 }))
  .uid('sensors')
  .keyBy((r) => r.id)
  .flatMap(new TemperatureAlertFunction(1.7))
  .uid('alerts')
  .print();
await env.execute('Temperature alerts');
