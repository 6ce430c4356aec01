/**
 * miniflink/internal: the parts tests, benchmarks and tools use that are not the DataStream API
 * (the MiniCluster, graph generation, the program loader).
 */
import './index.js';

export { MiniCluster, LocalExecutor, Dispatcher, JobMaster, buildJobGraph, buildSubmission, captureProgram, runProgram, registerJobLoader, resolveProgramPath, compileProgram, discardCompiledProgram } from './runtime/index.js';
export { generateStreamGraph, generateJobGraph, jsonPlan, requiredSlots, isChainable } from './graph/index.js';
export { setExecutionContext, getExecutionContext } from './api/index.js';
export { RecordBatchCodec } from './core/serde.js';
export { assignToKeyGroup, assignKeyToParallelOperator, computeDefaultMaxParallelism, computeKeyGroupRangeForOperatorIndex, murmurHash } from './core/key-groups.js';
export { javaHashCode } from './core/java-hash.js';
export { HeapKeyedStateBackend, LevelDbKeyedStateBackend, normalizeKey, type NormalizedKey } from './state/index.js';
export { TimerService } from './runtime/operators/timer-service.js';
export { compress, decompress, type Compression } from './checkpoint/index.js';
export { packValue, unpackValue } from './core/serde.js';
export { KeyGroupRange } from './core/key-groups.js';
