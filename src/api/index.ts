/**
 * api: the DataStream API (environment, streams, functions, state descriptors) and the built-in
 * connectors. Plain data plus fluent builders; imports no runtime code. The core type is
 * StreamExecutionEnvironment, which records Transformations and hands them to an executor.
 */
export { StreamExecutionEnvironment } from './environment.js';
export { DataStream, DataStreamSink } from './data-stream.js';
export { KeyedStream } from './keyed-stream.js';
export { Duration, Time, toMillis, type DurationLike } from './time.js';
export { BroadcastStream, BroadcastConnectedStream } from './broadcast-stream.js';
export { ConnectedStreams } from './connected-streams.js';
export { CoGroupedStreams, JoinedStreams, CoGroupedWithWindow, JoinedWithWindow, CoGroupWindowFunction, type TaggedUnion } from './co-grouped-streams.js';
export { IntervalJoin, IntervalJoined } from './interval-join.js';
export {
  RichJoinFunction,
  RichFlatJoinFunction,
  RichCoGroupFunction,
  ProcessJoinFunction,
  isFlatJoinFunction,
  type JoinFunction,
  type FlatJoinFunction,
  type JoinFunctionLike,
  type CoGroupFunction,
  type ProcessJoinContext,
  type ProcessJoinFunctionLike,
} from './functions/join-functions.js';
export { CoProcessFunction, KeyedCoProcessFunction, RichCoFlatMapFunction, RichCoMapFunction, type CoFlatMapFunction, type CoMapFunction } from './functions/co-functions.js';
export { Transformation, type ChainingStrategy, type OperatorSpec, type PartitionerKind, type PartitionerSpec, type TransformationKind } from './transformation.js';
export { ExecutionConfig, CheckpointConfig, CheckpointingMode, ExternalizedCheckpointCleanup } from './execution-config.js';
export { setExecutionContext, getExecutionContext, setDefaultExecutor, getDefaultExecutor, type ExecutionContext, type Pipeline, type PipelineExecutor } from './executor.js';
export { DetachedJobExecutionResult, JobExecutionResult, type JobClient, type JobStatusName } from './job-client.js';
export { describeRestartStrategy, RestartStrategies, type RestartStrategyConfiguration } from './restart-strategies.js';
export { HashMapStateBackend, LevelDbStateBackend, type StateBackend, type StateBackendType } from './state-backends.js';
export { aggregationReducer, getField, IN_PLACE, type AggregationReducer, type AggregationType, type FieldExpression } from './aggregations.js';
export { AbstractRichFunction, isRichFunction, type OpenContext } from './functions/rich-function.js';
export {
  RichMapFunction,
  RichFlatMapFunction,
  RichFilterFunction,
  RichReduceFunction,
  toCallable,
  type Collector,
  type MapFunction,
  type FlatMapFunction,
  type FilterFunction,
  type ReduceFunction,
  type KeySelector,
} from './functions/functions.js';
export {
  ProcessFunction,
  KeyedProcessFunction,
  OutputTag,
  type ProcessContext,
  type KeyedProcessContext,
  type OnTimerContext,
  type TimerService,
} from './functions/process-function.js';
export {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  type BroadcastState,
  type ReadOnlyBroadcastState,
  type ReadOnlyBroadcastContext,
  type BroadcastContext,
  type KeyedReadOnlyBroadcastContext,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
} from './functions/broadcast-process-function.js';
export { RichSourceFunction, RichParallelSourceFunction, Watermark, isParallelSource, EMIT_RANGE, type SourceFunction, type SourceContext, type RangeSourceContext } from './functions/source-function.js';
export {
  WatermarkStrategy,
  WatermarkAlignmentParams,
  RecordTimestampAssigner,
  NO_TIMESTAMP,
  isWatermarkStrategy,
  type WatermarkGenerator,
  type WatermarkOutput,
  type TimestampAssigner,
  type SerializableTimestampAssigner,
  type TimestampAssignerSupplier,
  type TimestampAssignerSupplierContext,
  type WatermarkGeneratorSupplier,
  type WatermarkGeneratorSupplierContext,
  type RelativeClock,
} from './watermark-strategy.js';
export { BoundedOutOfOrdernessWatermarks, AscendingTimestampsWatermarks, NoWatermarksGenerator, WatermarksWithIdleness, IdlenessTimer } from './watermark-generators.js';
export { RichSinkFunction, type SinkFunction, type SinkContext } from './functions/sink-function.js';
export { IntCounter, LongCounter, type RuntimeContext, type Accumulator, type MetricGroup, type Logger } from './functions/runtime-context.js';
export { DescriptiveStatisticsHistogram, MeterView, SimpleCounter, type Counter, type Gauge, type Histogram, type HistogramStatistics, type Meter } from '../metrics/index.js';
export {
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
  StateDescriptor,
  type ValueState,
  type ListState,
  type MapState,
  type ReducingState,
  type AggregatingState,
  type AggregateFunction,
  type StateKind,
} from './state/state.js';
export { SequenceSource, sequenceSplit } from './connectors/sequence-source.js';
export { CollectionSource } from './connectors/collection-source.js';
export { TextFileSource } from './connectors/text-file-source.js';
export { SocketTextStreamSource } from './connectors/socket-source.js';
export { PrintSinkFunction, formatForPrint } from './connectors/print-sink.js';
export { DiscardingSink } from './connectors/discarding-sink.js';
export { FileSink, FileSinkFunction, RowFormatBuilder, SimpleStringEncoder, DateTimeBucketAssigner, BasePathBucketAssigner, type Encoder, type BucketAssigner, type OutputFileConfig } from './connectors/file-sink.js';
export {
  isCheckpointedFunction,
  isCheckpointListener,
  type CheckpointedFunction,
  type CheckpointListener,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type OperatorStateStore,
} from './functions/checkpointed-function.js';
export { StateTtlConfig, StateTtlConfigBuilder, UpdateType, StateVisibility } from './state/state-ttl-config.js';
export {
  Window,
  TimeWindow,
  GlobalWindow,
  WindowAssigner,
  MergingWindowAssigner,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  DynamicEventTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  GlobalWindows,
  NeverTrigger,
  EndOfStreamTrigger,
  Trigger,
  TriggerResult,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  CountTrigger,
  PurgingTrigger,
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountEvictor,
  TimeEvictor,
  DeltaEvictor,
  TimestampedValue,
  EvictableElements,
  ProcessWindowFunction,
  ProcessAllWindowFunction,
  RichWindowFunction,
  RichAllWindowFunction,
  WindowedStream,
  AllWindowedStream,
  isMergingAssigner,
  windowOfNamespace,
  type WindowAssignerContext,
  type SessionWindowTimeGapExtractor,
  type TriggerContext,
  type OnMergeContext,
  type Evictor,
  type EvictorContext,
  type DeltaFunction,
  type RemovingIterator,
  type WindowFunction,
  type AllWindowFunction,
  type ProcessWindowContext,
  type ProcessWindowFunctionLike,
  type ProcessAllWindowFunctionLike,
  type KeyedStateStore,
  type WindowOperatorSpec,
  type WindowContentsSpec,
  type WindowFunctionSpec,
} from './windowing/index.js';
