/**
 * `fail` (miniflink): fault injection for teaching and testing, through the REST API's fault
 * endpoints (src/rest/routes/fault-routes.ts):
 *
 *   fail <jobId> subtask <vertexId> <index>          POST /jobs/:jobid/vertices/:vertexid/subtasks/:index/fail
 *   fail <jobId> taskmanager <tmId>                  POST /taskmanagers/:tmid/kill (after checking the job exists)
 *   fail <jobId> checkpoint fail|stall [count]       POST /jobs/:jobid/checkpoints/faults
 *
 * Prints one line saying what was injected; a failure prints Flink-style lines (headline, causes,
 * no JavaScript frames) and exits 1, as the other job actions.
 */
import { CliArgumentError, stringOption } from '../args.js';
import { RestClient } from '../rest-client.js';
import { loadConfiguration } from './common.js';
import { orFail, parse, parseJobId } from './jobs.js';
import type { CliIO } from './run.js';

const WHAT = 'subtask, taskmanager or checkpoint';

/** A non-negative integer argument, or an argument error naming it. */
function index(text: string | undefined, name: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new CliArgumentError(`The ${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer: ${text}`);
  return n;
}

/** Refuses arguments beyond the `n` a form takes. */
function atMost(positional: readonly string[], n: number, syntax: string): void {
  if (positional.length > n) throw new CliArgumentError(`Too many arguments: ${positional.slice(n).join(' ')}. Syntax: ${syntax}`);
}

/** `fail <jobId> subtask|taskmanager|checkpoint ...`. */
export async function failAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parse('fail', argv);
  const [jobText, what, ...rest] = p.positional;
  const jobId = parseJobId(jobText, 'Missing JobID. Specify a Job ID to inject a fault into.');
  if (what === undefined) throw new CliArgumentError(`Missing fault: specify ${WHAT}.`);
  const vertexOption = stringOption(p, 'vertex');
  const subtaskOption = index(stringOption(p, 'subtask'), 'subtask index');
  if (what !== 'checkpoint' && (vertexOption !== undefined || subtaskOption !== undefined)) throw new CliArgumentError('--vertex and --subtask are options of "fail <Job ID> checkpoint" only.');
  const client = RestClient.fromConfig(loadConfiguration(p, io.err, 'fail'));
  const headline = `Could not inject a fault into job ${jobId}.`;

  if (what === 'subtask') {
    const syntax = 'fail <Job ID> subtask <Vertex ID> <subtask index>';
    const [vertexId, indexText] = rest;
    if (vertexId === undefined || indexText === undefined) throw new CliArgumentError(`Missing ${vertexId === undefined ? 'vertex ID and subtask index' : 'subtask index'}. Syntax: ${syntax}`);
    atMost(rest, 2, syntax);
    const i = index(indexText, 'subtask index')!;
    const r = await orFail(headline, jobId, () =>
      client.call<{ taskName: string; vertexId: string; subtaskIndex: number; attempt: number }>('POST', `/jobs/${jobId}/vertices/${encodeURIComponent(vertexId)}/subtasks/${i}/fail`),
    );
    io.out(`Injected InjectedFailure into ${r.taskName} (vertex ${r.vertexId}, subtask ${r.subtaskIndex}, attempt ${r.attempt}) of job ${jobId}.`);
    return 0;
  }

  if (what === 'taskmanager') {
    const syntax = 'fail <Job ID> taskmanager <TaskManager ID>';
    const [tmId] = rest;
    if (tmId === undefined) throw new CliArgumentError(`Missing TaskManager ID. Syntax: ${syntax}`);
    atMost(rest, 1, syntax);
    const r = await orFail(headline, jobId, async () => {
      // The job must exist: a typo in its id is reported before a TaskManager is killed.
      await client.call('GET', `/jobs/${jobId}/status`);
      return client.call<{ taskManagerId: string; slots: number[]; restartDelay: string }>('POST', `/taskmanagers/${encodeURIComponent(tmId)}/kill`);
    });
    io.out(`Killed TaskManager ${r.taskManagerId}: its slot threads (slots ${r.slots.join(', ')}) were terminated and are replaced after ${r.restartDelay} (cluster.taskmanager.restart-delay).`);
    return 0;
  }

  if (what === 'checkpoint') {
    const syntax = 'fail <Job ID> checkpoint fail|stall [<count>]';
    const [kind, countText] = rest;
    if (kind !== 'fail' && kind !== 'stall') throw new CliArgumentError(`${kind === undefined ? 'Missing checkpoint fault' : `Unknown checkpoint fault "${kind}"`}: expected fail or stall. Syntax: ${syntax}`);
    atMost(rest, 2, syntax);
    const count = index(countText, 'count', 1) ?? 1;
    const r = await orFail(headline, jobId, () =>
      client.call<{ kind: string; count: number; vertexId: string; subtaskIndex: number }>('POST', `/jobs/${jobId}/checkpoints/faults`, { kind, count, vertex: vertexOption, subtask: subtaskOption }),
    );
    const how = r.kind === 'fail' ? 'declines in its asynchronous part' : 'withholds its acknowledgement until the checkpoint times out';
    io.out(`Injected ${r.count} checkpoint fault${r.count === 1 ? '' : 's'} (${r.kind}) into job ${jobId}: for its next ${r.count === 1 ? 'checkpoint' : `${r.count} checkpoints`}, subtask ${r.subtaskIndex} of vertex ${r.vertexId} ${how}.`);
    return 0;
  }

  throw new CliArgumentError(`Unknown fault "${what}": expected ${WHAT}.`);
}
