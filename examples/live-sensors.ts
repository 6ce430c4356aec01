/**
 * What `npm start` runs on its cluster, to watch in the web UI: an endless, checkpointing, stateful
 * job. Sensor readings (two partitions, offsets in operator state) go by sensor to the book's
 * TemperatureAlertFunction (the last temperature in keyed state), and the alerts are counted per
 * sensor (a keyed reduce) into a sink that keeps nothing.
 *   npx miniflink run -t local examples/live-sensors.ts
 */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';
import { SensorSource, TemperatureAlertFunction } from './sensors.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(2000);
env
  .addSource(new SensorSource({ partitions: 2, perPartition: Number.MAX_SAFE_INTEGER, sensors: 5, pauseMs: 25 }))
  .uid('sensors')
  .name('Sensor readings')
  .keyBy((r) => r.id)
  .flatMap(new TemperatureAlertFunction(1.7))
  .uid('alerts')
  .name('Temperature alerts')
  .map(([id]) => ({ id, alerts: 1 }))
  .keyBy((a) => a.id)
  .sum('alerts')
  .uid('alert-counts')
  .name('Alerts per sensor')
  .addSink(new DiscardingSink())
  .name('Alert counts');
await env.execute('Live sensors');
