/**
 * `list`, `cancel`, `savepoint`, `stop` and `checkpoint`: Flink's CLI actions, through the REST API
 * only. A failure prints Flink's headline (`Could not cancel job <id>.`) and its causes, without
 * JavaScript frames (output.ts `actionFailure`).
 */
import { absolutePath } from '../../config/index.js';
import { isMiniFlinkError, MiniFlinkError } from '../../core/errors.js';
import { CliArgumentError, parseArgs, stringOption } from '../args.js';
import { actionDoc, parserOptions } from '../help.js';
import { actionFailure, withoutFrames } from '../output.js';
import { operationFailure, RestClient } from '../rest-client.js';
import { loadConfiguration } from './common.js';
import type { CliIO } from './run.js';

const RULE = '--------------------------------------------------------------';

/** Parses an action's arguments with its declared options (src/cli/help.ts). */
export function parse(action: string, argv: readonly string[]) {
  return parseArgs(argv, parserOptions(action), actionDoc(action).stopAtPositional);
}

/** A job id argument; `missing` is Flink's message when there is none. */
export function parseJobId(text: string | undefined, missing: string): string {
  if (text === undefined) throw new CliArgumentError(missing);
  if (!/^[0-9a-fA-F]{32}$/.test(text)) throw new CliArgumentError(`Cannot parse JobID from "${text}". The expected format is [0-9a-fA-F]{32}, e.g. fd72014d4c864993a2e5a9287b4a9c5d.`);
  return text.toLowerCase();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Flink's list line time: dd.MM.yyyy HH:mm:ss in local time. */
function listTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A completed asynchronous operation that failed on the cluster: the server's words, without its frames. */
class OperationFailedError extends Error {
  constructor(stackTrace: string) {
    const text = withoutFrames(stackTrace);
    // `Name: message`, or miniflink's `MiniFlinkError [MF_ERR_...]: message`.
    super(text.split('\n')[0]!.replace(/^[\w.$]+(?: \[MF_ERR_[A-Z_]+\])?: /, ''));
    this.stack = text;
  }
}

/** The payload of a completed operation; throws its failure (Flink's `failure-cause`; a checkpoint's is `failureCause`). */
function succeeded(op: Record<string, unknown>): Record<string, unknown> {
  const failed = operationFailure(op) ?? operationFailure({ 'failure-cause': op['failureCause'] });
  if (failed !== undefined) throw new OperationFailedError(failed);
  return op;
}

/**
 * Runs an action's work against the cluster; a failure becomes Flink's `headline` with the cause
 * chain. An operation the cluster failed because the job is unknown (Flink's
 * FlinkJobNotFoundException: `Could not find Flink job (<id>)`) reads as Flink's REST API reports
 * an unknown job: `Job <id> not found`, caused by it.
 */
export async function orFail<T>(headline: string, jobId: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof OperationFailedError && jobId !== undefined && e.message.startsWith('Could not find Flink job')) {
      throw actionFailure(headline, new MiniFlinkError('MF_ERR_JOB_NOT_FOUND', `Job ${jobId} not found`, { cause: e }), 'MF_ERR_JOB_NOT_FOUND');
    }
    throw actionFailure(headline, e, isMiniFlinkError(e) ? e.code : undefined);
  }
}

/** Triggers an asynchronous operation and polls it to completion; returns its payload or throws its failure. */
async function operation(client: RestClient, trigger: string, body: unknown, status: (triggerId: string) => string): Promise<Record<string, unknown>> {
  const { 'request-id': t } = await client.call<{ 'request-id': string }>('POST', trigger, body);
  return succeeded(await client.waitFor(status(t)));
}

/** `list [-r] [-s] [-a]`. */
export async function listAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parse('list', argv);
  const client = RestClient.fromConfig(loadConfiguration(p, io.err, 'list'));
  const all = p.options['all'] === true;
  const running = all || p.options['running'] === true || p.options['scheduled'] !== true;
  const scheduled = all || p.options['scheduled'] === true || p.options['running'] !== true;
  io.out('Waiting for response...');
  const { jobs } = await orFail('Failed to retrieve job list.', undefined, () => client.call<{ jobs: Array<{ jid: string; name: string; state: string; 'start-time': number }> }>('GET', '/jobs/overview'));
  jobs.sort((a, b) => a['start-time'] - b['start-time']);
  const line = (j: (typeof jobs)[number]) => `${listTime(j['start-time'])} : ${j.jid} : ${j.name} (${j.state})`;
  const terminal = new Set(['FINISHED', 'CANCELED', 'FAILED']);
  const section = (title: string, list: typeof jobs, empty: string | undefined) => {
    if (list.length === 0) {
      if (empty) io.out(empty);
      return;
    }
    io.out(title);
    for (const j of list) io.out(line(j));
    io.out(RULE);
  };
  if (running) section('------------------ Running/Restarting Jobs -------------------', jobs.filter((j) => !terminal.has(j.state) && j.state !== 'CREATED' && j.state !== 'INITIALIZING'), 'No running jobs.');
  if (scheduled) section('----------------------- Scheduled Jobs -----------------------', jobs.filter((j) => j.state === 'CREATED' || j.state === 'INITIALIZING'), 'No scheduled jobs.');
  if (all) section('---------------------- Terminated Jobs -----------------------', jobs.filter((j) => terminal.has(j.state)), undefined);
  return 0;
}

/** `cancel [-s [dir]] <jobId>`. */
export async function cancelAction(argv: readonly string[], io: CliIO): Promise<number> {
  // -s takes an optional directory (commons-cli's optional argument); as Flink's CliFrontend,
  // `cancel -s <jobId>` means no directory: the value was the job id.
  const p = parse('cancel', argv);
  const s = p.options['withSavepoint'];
  const savepoint = s !== undefined;
  let dir = typeof s === 'string' ? s : undefined;
  let jobText = p.positional[0];
  if (jobText === undefined && dir !== undefined) {
    jobText = dir;
    dir = undefined;
  }
  const jobId = parseJobId(jobText, 'Missing JobID. Specify a JobID to cancel a job.');
  // Paths are the client's: a relative one is made absolute here, not in the cluster's directory.
  if (dir !== undefined) dir = absolutePath(dir);
  const client = RestClient.fromConfig(loadConfiguration(p, io.err, 'cancel'));
  const headline = `Could not cancel job ${jobId}.`;
  if (!savepoint) {
    io.out(`Cancelling job ${jobId}.`);
    await orFail(headline, jobId, () => client.call('PATCH', `/jobs/${jobId}`));
    io.out(`Cancelled job ${jobId}.`);
    return 0;
  }
  io.out('DEPRECATION WARNING: Cancelling a job with savepoint is deprecated. Use "stop" instead.');
  io.out(`Cancelling job ${jobId} with CANONICAL savepoint to ${dir ?? 'default savepoint directory'}.`);
  const op = await orFail(headline, jobId, () => operation(client, `/jobs/${jobId}/savepoints`, { 'target-directory': dir, 'cancel-job': true }, (t) => `/jobs/${jobId}/savepoints/${t}`));
  io.out(`Cancelled job ${jobId}. Savepoint stored in ${String(op.location)}.`);
  return 0;
}

/** `savepoint <jobId> [dir]`, `savepoint -d <path>`. */
export async function savepointAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parse('savepoint', argv);
  const client = RestClient.fromConfig(loadConfiguration(p, io.err, 'savepoint'));
  const dispose = stringOption(p, 'dispose');
  if (dispose !== undefined) {
    io.out(`Disposing savepoint '${dispose}'.`);
    io.out('Waiting for response...');
    // Paths are the client's: a relative one is made absolute here, not in the cluster's directory.
    const path = absolutePath(dispose);
    await orFail(`Failed to dispose the savepoint '${dispose}'.`, undefined, () => operation(client, '/savepoint-disposal', { 'savepoint-path': path }, (t) => `/savepoint-disposal/${t}`));
    io.out(`Savepoint '${dispose}' disposed.`);
    return 0;
  }
  const jobId = parseJobId(p.positional[0], 'Missing JobID. Specify a Job ID to trigger a savepoint.');
  const dir = p.positional[1] !== undefined ? absolutePath(p.positional[1]) : undefined;
  if (p.positional.length > 2) io.out('Provided more arguments than required. Ignoring not needed arguments.');
  io.out(`Triggering savepoint for job ${jobId}.`);
  io.out('Waiting for response...');
  const op = await orFail(`Failed to trigger a savepoint for the job ${jobId}.`, jobId, () => operation(client, `/jobs/${jobId}/savepoints`, { 'target-directory': dir, 'cancel-job': false }, (t) => `/jobs/${jobId}/savepoints/${t}`));
  io.out(`Savepoint completed. Path: ${String(op.location)}`);
  io.out('You can resume your program from this savepoint with the run command.');
  return 0;
}

/** `stop [-p [dir]] [-d] <jobId>`. */
export async function stopAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parse('stop', argv);
  // -p takes an optional directory: `stop -p <jobId>` means the default directory.
  let dir = stringOption(p, 'savepointPath');
  let jobText = p.positional[0];
  if (jobText === undefined && dir !== undefined && /^[0-9a-fA-F]{32}$/.test(dir)) {
    jobText = dir;
    dir = undefined;
  }
  const jobId = parseJobId(jobText, 'Missing JobID. Specify a JobID to stop a job.');
  if (dir !== undefined) dir = absolutePath(dir);
  const client = RestClient.fromConfig(loadConfiguration(p, io.err, 'stop'));
  const drain = p.options['drain'] === true;
  io.out(`${drain ? 'Draining' : 'Suspending'} job "${jobId}" with a CANONICAL savepoint.`);
  io.out(`Triggering stop-with-savepoint for job ${jobId}.`);
  io.out('Waiting for response...');
  const op = await orFail(`Could not stop with a savepoint job "${jobId}".`, jobId, () => operation(client, `/jobs/${jobId}/stop`, { targetDirectory: dir, drain }, (t) => `/jobs/${jobId}/savepoints/${t}`));
  io.out(`Savepoint completed. Path: ${String(op.location)}`);
  return 0;
}

/** `checkpoint [-full] <jobId>` (Flink 1.19): a manual checkpoint, `POST /jobs/:jobid/checkpoints`. */
export async function checkpointAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parse('checkpoint', argv);
  const jobId = parseJobId(p.positional[0], 'Missing JobID. Specify a Job ID to manipulate a checkpoint.');
  const client = RestClient.fromConfig(loadConfiguration(p, io.err, 'checkpoint'));
  const type = p.options['full'] === true ? 'FULL' : 'CONFIGURED';
  io.out(`Triggering checkpoint for job ${jobId}.`);
  io.out('Waiting for response...');
  const op = await orFail(`Failed to trigger a checkpoint for the job ${jobId}.`, jobId, () => operation(client, `/jobs/${jobId}/checkpoints`, { checkpointType: type }, (t) => `/jobs/${jobId}/checkpoints/${t}`));
  // As Flink's CliFrontend: the type shows unless it is CONFIGURED.
  io.out(`Checkpoint${type === 'CONFIGURED' ? '' : `(${type})`} ${String(op.checkpointId)} for job ${jobId} completed.`);
  io.out('You can resume your program from this checkpoint with the run command.');
  return 0;
}
