/**
 * Creates the runtime operator for an OperatorSpec (one runtime operator per spec type).
 */
import type { OperatorSpec, SourceFunction } from '../../api/index.js';
import { FilterOperator, FlatMapOperator, MapOperator, ProcessOperator } from './stateless-operators.js';
import { KeyedProcessOperator, ReduceOperator } from './keyed-operators.js';
import { CollectSinkOperator, SinkOperator } from './sink-operators.js';
import { SourceOperator } from './source-operator.js';
import type { OperatorContext, StreamOperator } from './stream-operator.js';

/** The runtime operator for a spec. */
export function createOperator(spec: OperatorSpec, ctx: OperatorContext): StreamOperator {
  switch (spec.type) {
    case 'source':
      return new SourceOperator(ctx, spec.fn as SourceFunction<unknown>);
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
    case 'sink':
      return new SinkOperator(ctx, spec.fn);
    case 'collect':
      return new CollectSinkOperator(ctx, spec.collectId);
  }
}

/** Whether the operator hands records to user code that may keep them (so they need a copy). */
export function needsDefensiveCopy(spec: OperatorSpec): boolean {
  return spec.type !== 'collect' && spec.type !== 'source';
}
