/**
 * Slot sharing: which slot runs each subtask. Within a slot sharing group, subtask i of every
 * vertex goes to the group's i-th slot (so a pipeline shares a thread); groups get their own
 * slots. A job needs the sum over groups of the group's highest parallelism.
 */
import { MiniFlinkError } from '../../core/errors.js';
import { requiredSlots, type JobGraph } from '../../graph/index.js';

/** Slot index of every subtask, by vertex id. */
export type Placement = Record<string, number[]>;

/** Places the job's subtasks on the given free slots (in order). */
export function placeSubtasks(job: JobGraph, freeSlots: readonly number[], totalSlots: number): Placement {
  const needed = requiredSlots(job);
  if (needed > totalSlots) {
    throw new MiniFlinkError(
      'MF_ERR_NOT_ENOUGH_SLOTS',
      `The job '${job.jobName}' needs ${needed} task slots but the cluster offers only ${totalSlots} (taskmanager.numberOfTaskSlots x number of TaskManagers). ` +
        'Lower the parallelism (-p), put operators into fewer slot sharing groups, or start a cluster with more slots.',
    );
  }
  if (needed > freeSlots.length) {
    throw new MiniFlinkError('MF_ERR_NOT_ENOUGH_SLOTS', `The job '${job.jobName}' needs ${needed} task slots but only ${freeSlots.length} of the cluster's ${totalSlots} are free now.`);
  }
  const groupSlots = new Map<string, number[]>();
  let next = 0;
  for (const v of job.vertices) {
    let slots = groupSlots.get(v.slotSharingGroup);
    if (!slots) {
      const width = Math.max(...job.vertices.filter((x) => x.slotSharingGroup === v.slotSharingGroup).map((x) => x.parallelism));
      slots = freeSlots.slice(next, next + width);
      next += width;
      groupSlots.set(v.slotSharingGroup, slots);
    }
  }
  const placement: Placement = {};
  for (const v of job.vertices) placement[v.id] = groupSlots.get(v.slotSharingGroup)!.slice(0, v.parallelism);
  return placement;
}
