/**
 * Creates the runtime operator for an OperatorSpec (one runtime operator per spec type).
 */
import { DiscardingSink, PrintSinkFunction, type OperatorSpec, type SourceFunction } from '../../api/index.js';
import { FilterOperator, FlatMapOperator, MapOperator, ProcessOperator } from './stateless-operators.js';
import { KeyedProcessOperator, ReduceOperator } from './keyed-operators.js';
import { BroadcastProcessOperator, KeyedBroadcastProcessOperator } from './broadcast-operators.js';
import { CoFlatMapOperator, CoMapOperator, CoProcessOperator, KeyedCoProcessOperator } from './co-operators.js';
import { IntervalJoinOperator } from './interval-join-operator.js';
import { CollectSinkOperator, SinkOperator } from './sink-operators.js';
import { SourceOperator } from './source-operator.js';
import { TimestampsAndWatermarksOperator } from './timestamps-and-watermarks-operator.js';
import type { OperatorContext, StreamOperator } from './stream-operator.js';
import { WindowOperator } from './window-operator.js';

/** The runtime operator for a spec. */
export function createOperator(spec: OperatorSpec, ctx: OperatorContext): StreamOperator {
  switch (spec.type) {
    case 'source':
      return new SourceOperator(ctx, spec.fn as SourceFunction<unknown>, spec.watermarkStrategy, spec.executionConfig?.getAutoWatermarkInterval());
    case 'map':
      return new MapOperator(ctx, spec.fn);
    case 'flatMap':
      return new FlatMapOperator(ctx, spec.fn);
    case 'filter':
      return new FilterOperator(ctx, spec.fn);
    case 'process':
      return new ProcessOperator(ctx, spec.fn);
    case 'keyedProcess':
      return new KeyedProcessOperator(ctx, spec.fn, spec.keySelector);
    case 'reduce':
      return new ReduceOperator(ctx, spec.fn, spec.keySelector);
    case 'broadcastProcess':
      return new BroadcastProcessOperator(ctx, spec.fn, spec.descriptors);
    case 'keyedBroadcastProcess':
      return new KeyedBroadcastProcessOperator(ctx, spec.fn, spec.keySelector, spec.descriptors);
    case 'coMap':
      return new CoMapOperator(ctx, spec.fn, spec.keySelector1, spec.keySelector2);
    case 'coFlatMap':
      return new CoFlatMapOperator(ctx, spec.fn, spec.keySelector1, spec.keySelector2);
    case 'coProcess':
      return new CoProcessOperator(ctx, spec.fn, spec.keySelector1, spec.keySelector2);
    case 'keyedCoProcess':
      return new KeyedCoProcessOperator(ctx, spec.fn, spec.keySelector1, spec.keySelector2);
    case 'intervalJoin':
      return new IntervalJoinOperator(ctx, spec);
    case 'window':
      return new WindowOperator(ctx, spec.window);
    case 'sink':
      return new SinkOperator(ctx, spec.fn);
    case 'collect':
      return new CollectSinkOperator(ctx, spec.collectId);
    case 'timestampsAndWatermarks':
      return new TimestampsAndWatermarksOperator(ctx, spec.strategy, spec.executionConfig.getAutoWatermarkInterval());
  }
}

/**
 * Whether the operator hands records to user code that may keep or change them (so, without
 * object reuse, it gets a copy). Built-in sinks that only print, drop or ship records do not (the
 * collect sink copies what it holds itself, with or without object reuse).
 */
export function needsDefensiveCopy(spec: OperatorSpec): boolean {
  if (spec.type === 'collect' || spec.type === 'source') return false;
  if (spec.type === 'sink' && (spec.fn instanceof DiscardingSink || spec.fn instanceof PrintSinkFunction)) return false;
  return true;
}
