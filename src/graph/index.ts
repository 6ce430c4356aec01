/**
 * graph: StreamGraph -> JobGraph (chaining, slot sharing, operator ids) -> JSON plan.
 * Depends on core and api (types and the environment's transformations).
 */
export { generateStreamGraph, type StreamGraph, type StreamNode, type StreamEdge } from './stream-graph.js';
export { generateJobGraph, isChainable, requiredSlots, withMaxParallelism, type JobGraph, type JobVertex, type JobEdge, type ChainedOperator, type ShipStrategy } from './job-graph.js';
export { consumersOf, producersOf, isPointwise } from './connections.js';
export { jsonPlan, escapeHtml, type JsonPlan, type PlanNode, type PlanInput } from './json-plan.js';
export { pipelinedRegions, regionsByVertex, type SubtaskRef } from './regions.js';
