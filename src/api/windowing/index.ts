/**
 * api/windowing: Flink's windows on the DataStream API. The core type is WindowedStream
 * (`keyedStream.window(assigner)`, AllWindowedStream for `windowAll`), which appends one window
 * operator described by a WindowOperatorSpec: a WindowAssigner (tumbling, sliding, session,
 * global; event or processing time), a Trigger, an optional Evictor, allowed lateness, a late side
 * output, and the functions (reduce / aggregate / WindowFunction / ProcessWindowFunction).
 * Windows are TimeWindow and GlobalWindow. Depends on the rest of api and on core (errors,
 * watermark bounds); the runtime's window operator (runtime/operators/window-operator.ts) runs it.
 */
export { Window, TimeWindow, GlobalWindow, windowOfNamespace } from './windows.js';
export { WindowAssigner, MergingWindowAssigner, isMergingAssigner, type WindowAssignerContext } from './window-assigner.js';
export { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from './tumbling-windows.js';
export { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from './sliding-windows.js';
export {
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  DynamicEventTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  type SessionWindowTimeGapExtractor,
} from './session-windows.js';
export { GlobalWindows, NeverTrigger, EndOfStreamTrigger } from './global-windows.js';
export { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './trigger.js';
export { EventTimeTrigger, ProcessingTimeTrigger, CountTrigger, PurgingTrigger, ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from './triggers.js';
export {
  CountEvictor,
  TimeEvictor,
  DeltaEvictor,
  TimestampedValue,
  EvictableElements,
  type Evictor,
  type EvictorContext,
  type DeltaFunction,
  type RemovingIterator,
} from './evictors.js';
export {
  ProcessWindowFunction,
  ProcessAllWindowFunction,
  RichWindowFunction,
  RichAllWindowFunction,
  type WindowFunction,
  type AllWindowFunction,
  type ProcessWindowContext,
  type ProcessWindowFunctionLike,
  type ProcessAllWindowFunctionLike,
  type KeyedStateStore,
} from './window-functions.js';
export { WindowSettings } from './window-settings.js';
export { WindowedStream } from './windowed-stream.js';
export { AllWindowedStream } from './all-windowed-stream.js';
export type { WindowOperatorSpec, WindowContentsSpec, WindowFunctionSpec } from './window-spec.js';
