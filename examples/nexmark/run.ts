/**
 * Runs one Nexmark query as a job: `<events> [rate] [sink]` from the command line, where sink is
 * `discard` (the default, Nexmark's blackhole sink), `print`, or a directory (a FileSink writing
 * one JSON record per line; checkpoints every second unless the job's configuration sets them). Prints the job's runtime and the events per second it processed.
 */
import { BasePathBucketAssigner, DiscardingSink, FileSink, SimpleStringEncoder, StreamExecutionEnvironment, type DataStream } from 'miniflink';
import { configFromArgs, nexmarkStreams, type NexmarkStreams } from './generator.js';

/** Builds the query on the generator's streams, adds the sink and runs the job. */
export async function runQuery<T>(name: string, query: (s: NexmarkStreams) => DataStream<T>, args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const config = configFromArgs(args);
  const sink = args[2] ?? 'discard';
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  // As Nexmark's flink-conf.yaml (pipeline.object-reuse: true): no query changes a record it got.
  env.getConfig().enableObjectReuse();
  const results = query(nexmarkStreams(env, config));
  if (sink === 'discard') results.addSink(new DiscardingSink()).name('Blackhole');
  else if (sink === 'print') results.map((r) => JSON.stringify(r)).print();
  else {
    // A FileSink commits its files on checkpoints (and at the end of the input), as Flink's does.
    if (!env.getCheckpointConfig().isCheckpointingEnabled()) env.enableCheckpointing(1000);
    results
      .map((r) => JSON.stringify(r))
      .sinkTo(FileSink.forRowFormat<string>(sink, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
      .uid('files');
  }
  const result = await env.execute(name);
  const ms = result.getNetRuntime();
  if (ms > 0) console.log(`${name}: ${config.maxEvents} events in ${ms} ms, ${Math.round((config.maxEvents * 1000) / ms)} events/s`);
}
