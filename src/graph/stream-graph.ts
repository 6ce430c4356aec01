/**
 * StreamGraph: one node per operator, edges carrying the partitioner (Flink's StreamGraph and
 * StreamGraphGenerator). Partition and union transformations are virtual: they only shape edges.
 */
import { StreamExecutionEnvironment, type ChainingStrategy, type OperatorSpec, type PartitionerKind, type Transformation } from '../api/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { stableHexId } from '../core/ids.js';
import { computeDefaultMaxParallelism } from '../core/key-groups.js';

/** One operator of the StreamGraph. */
export interface StreamNode {
  /** The transformation id (creation order). */
  readonly id: number;
  /** Stable 32-hex operator id: from the uid when set, else from the node's place in the graph. */
  readonly operatorId: string;
  /** Whether operatorId came from a user uid. */
  readonly hasUid: boolean;
  /** The uid, if set. */
  readonly uid: string | undefined;
  /** The operator's name. */
  readonly name: string;
  /** The operator kind (`source`, `map`, ...). */
  readonly type: OperatorSpec['type'];
  /** Resolved parallelism. */
  readonly parallelism: number;
  /** Resolved max parallelism. */
  readonly maxParallelism: number;
  /**
   * Whether the job set the max parallelism (setMaxParallelism on the operator or the environment,
   * or pipeline.max-parallelism); if not, a restore takes it from the snapshot, as Flink does.
   */
  readonly maxParallelismConfigured: boolean;
  /** Resolved slot sharing group. */
  readonly slotSharingGroup: string;
  /** The chaining strategy. */
  readonly chainingStrategy: ChainingStrategy;
  /** Whether the operator is keyed (has a key selector on its input). */
  readonly keyed: boolean;
}

/** An edge between two operators. */
export interface StreamEdge {
  /** Upstream node id. */
  readonly source: number;
  /** Downstream node id. */
  readonly target: number;
  /** The partitioner. */
  readonly partitioner: PartitionerKind;
  /** The partition transformation the key selector of a `hash` edge lives on, if any. */
  readonly partitionTransformationId: number | undefined;
  /** Which input of the target the edge feeds: 0, or 1 for the second input of a two-input operator. */
  readonly inputIndex: number;
  /** For a side output's edge, the OutputTag's id (undefined: the main output). */
  readonly outputTag: string | undefined;
}

/** The whole StreamGraph. */
export interface StreamGraph {
  /** The job's name. */
  readonly jobName: string;
  /** Nodes in creation order. */
  readonly nodes: readonly StreamNode[];
  /** Edges in creation order of their targets, then inputs. */
  readonly edges: readonly StreamEdge[];
  /** Whether operator chaining is enabled. */
  readonly chainingEnabled: boolean;
  /** Whether tasks share slots by slot-sharing group (false: every job vertex a group of its own). */
  readonly slotSharingEnabled?: boolean;
}

interface ResolvedInput {
  node: number;
  partitioner: PartitionerKind | undefined;
  partitionTransformationId: number | undefined;
  outputTag: string | undefined;
}

/** Builds the StreamGraph of an environment's transformations. */
export function generateStreamGraph(env: StreamExecutionEnvironment, jobName: string): StreamGraph {
  const nodes = new Map<number, StreamNode>();
  const edges: StreamEdge[] = [];
  const resolved = new Map<number, ResolvedInput[]>();
  const defaultMaxP = env.getMaxParallelism();

  // Upstream operator nodes of a transformation, through virtual partition/union steps.
  const resolveInputs = (t: Transformation): ResolvedInput[] => {
    const cached = resolved.get(t.id);
    if (cached) return cached;
    let out: ResolvedInput[];
    if (t.kind === 'partition') {
      out = t.inputs.flatMap(resolveInputs).map((r) => ({ ...r, partitioner: t.partitioner!.kind, partitionTransformationId: t.id }));
    } else if (t.kind === 'union') {
      out = t.inputs.flatMap(resolveInputs);
    } else if (t.kind === 'sideOutput') {
      out = t.inputs.flatMap(resolveInputs).map((r) => ({ ...r, outputTag: t.sideOutputTag }));
    } else {
      out = [{ node: t.id, partitioner: undefined, partitionTransformationId: undefined, outputTag: undefined }];
    }
    resolved.set(t.id, out);
    return out;
  };

  const hashes = new Map<number, string>();
  for (const t of env.transformations) {
    if (t.kind === 'partition' || t.kind === 'union' || t.kind === 'sideOutput') continue;
    const inputs = t.inputs.flatMap((input, i) => resolveInputs(input).map((r) => ({ ...r, inputIndex: t.kind === 'twoInput' ? i : 0 })));
    const inputNodes = inputs.map((i) => nodes.get(i.node)!);
    const parallelism = t.parallelism ?? env.getParallelism();
    const maxParallelism = t.maxParallelism ?? defaultMaxP ?? computeDefaultMaxParallelism(parallelism);
    const displayName = t.kind === 'sink' ? `Sink: ${t.name}` : t.kind === 'source' ? `Source: ${t.name}` : t.name;
    if (parallelism > maxParallelism) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The parallelism (${parallelism}) of operator '${displayName}' must not be greater than its max parallelism (${maxParallelism})`);
    }
    const groups = new Set(inputNodes.map((n) => n.slotSharingGroup));
    const slotSharingGroup = t.slotSharingGroup ?? (groups.size === 1 ? [...groups][0]! : 'default');
    const generated = stableHexId(`${t.operator!.type}|${t.id}|${inputs.map((i) => hashes.get(i.node)).join(',')}`);
    const operatorId = t.uid !== undefined ? stableHexId(`uid:${t.uid}`) : generated;
    if (t.uid !== undefined) {
      const clash = [...nodes.values()].find((n) => n.uid === t.uid);
      if (clash) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Hash collision on user-specified ID "${t.uid}": operators '${clash.name}' and '${t.name}' share it. Most likely cause is a non-unique ID; please check that all IDs specified via uid(String) are unique.`);
    }
    hashes.set(t.id, operatorId);
    const op = t.operator!;
    nodes.set(t.id, {
      id: t.id,
      operatorId,
      hasUid: t.uid !== undefined,
      uid: t.uid,
      name: displayName,
      type: op.type,
      parallelism,
      maxParallelism,
      maxParallelismConfigured: t.maxParallelism !== undefined || defaultMaxP !== undefined,
      slotSharingGroup,
      chainingStrategy: t.chainingStrategy,
      keyed: t.stateKeySelector !== undefined || op.type === 'keyedProcess' || op.type === 'reduce',
    });
    const me = nodes.get(t.id)!;
    for (const input of inputs) {
      const up = nodes.get(input.node)!;
      let partitioner = input.partitioner;
      if (partitioner === undefined) partitioner = up.parallelism === me.parallelism ? 'forward' : 'rebalance';
      if (partitioner === 'forward' && up.parallelism !== me.parallelism) {
        throw new MiniFlinkError(
          'MF_ERR_INVALID_ARGUMENT',
          `Forward partitioning does not allow change of parallelism. Upstream operation: ${up.name} parallelism: ${up.parallelism}, downstream operation: ${me.name} parallelism: ${me.parallelism} You must use another partitioning strategy, such as broadcast, rebalance, shuffle or global.`,
        );
      }
      edges.push({ source: up.id, target: me.id, partitioner, partitionTransformationId: input.partitionTransformationId, inputIndex: input.inputIndex, outputTag: input.outputTag });
    }
  }
  return { jobName, nodes: [...nodes.values()], edges, chainingEnabled: env.isChainingEnabled(), slotSharingEnabled: env.configuration['pipeline.slot-sharing.enabled']?.trim().toLowerCase() !== 'false' };
}
