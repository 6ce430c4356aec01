/**
 * miniflink: Flink's DataStream API on Node.js. This is the public surface, an explicit list
 * (STYLE.md 3.2). Importing it registers the local executor, so that a job run directly
 * (`npx tsx job.ts`, `node job.js`) executes on an embedded cluster.
 */
import { setDefaultExecutor } from './api/index.js';
import { LocalExecutor } from './runtime/local-executor.js';

setDefaultExecutor(new LocalExecutor());

export {
  StreamExecutionEnvironment,
  DataStream,
  DataStreamSink,
  KeyedStream,
  ExecutionConfig,
  CheckpointConfig,
  CheckpointingMode,
  ExternalizedCheckpointCleanup,
  JobExecutionResult,
  RestartStrategies,
  HashMapStateBackend,
  LevelDbStateBackend,
  AbstractRichFunction,
  RichMapFunction,
  RichFlatMapFunction,
  RichFilterFunction,
  RichReduceFunction,
  ProcessFunction,
  KeyedProcessFunction,
  OutputTag,
  RichSourceFunction,
  RichParallelSourceFunction,
  RichSinkFunction,
  Watermark,
  IntCounter,
  LongCounter,
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
  DiscardingSink,
  PrintSinkFunction,
} from './api/index.js';
export type {
  JobClient,
  JobStatusName,
  RestartStrategyConfiguration,
  StateBackend,
  Collector,
  MapFunction,
  FlatMapFunction,
  FilterFunction,
  ReduceFunction,
  KeySelector,
  ProcessContext,
  KeyedProcessContext,
  OnTimerContext,
  TimerService,
  SourceFunction,
  SourceContext,
  SinkFunction,
  SinkContext,
  RuntimeContext,
  Accumulator,
  ValueState,
  ListState,
  MapState,
  ReducingState,
  AggregatingState,
  AggregateFunction,
  OpenContext,
} from './api/index.js';
export { MiniFlinkError, isMiniFlinkError, ERROR_CODES, type ErrorCode } from './core/errors.js';
