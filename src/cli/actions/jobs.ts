/**
 * `list`, `cancel`, `savepoint` and `stop`: Flink's CLI actions, through the REST API only.
 */
import { CliArgumentError, parseArgs, stringOption, type OptionSpec } from '../args.js';
import { operationFailure, RestClient } from '../rest-client.js';
import { COMMON_OPTIONS, loadConfiguration } from './common.js';
import type { CliIO } from './run.js';

const RULE = '--------------------------------------------------------------';

function parseJobId(text: string | undefined, what: string): string {
  if (text === undefined) throw new CliArgumentError(`Missing JobID. Specify a JobID to ${what}.`);
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

/** `list [-r] [-s] [-a]`. */
export async function listAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parseArgs(argv, [...COMMON_OPTIONS, { short: 'r', long: 'running', takesValue: false }, { short: 's', long: 'scheduled', takesValue: false }, { short: 'a', long: 'all', takesValue: false }], false);
  const client = RestClient.fromConfig(loadConfiguration(p, io.err));
  const all = p.options['all'] === true;
  const running = all || p.options['running'] === true || p.options['scheduled'] !== true;
  const scheduled = all || p.options['scheduled'] === true || p.options['running'] !== true;
  io.out('Waiting for response...');
  const { jobs } = await client.call<{ jobs: Array<{ jid: string; name: string; state: string; 'start-time': number }> }>('GET', '/jobs/overview');
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
  const p = parseArgs(argv, [...COMMON_OPTIONS, { short: 's', long: 'withSavepoint', takesValue: true, optionalValue: true }] as OptionSpec[], false);
  const s = p.options['withSavepoint'];
  const savepoint = s !== undefined;
  let dir = typeof s === 'string' ? s : undefined;
  let jobText = p.positional[0];
  if (jobText === undefined && dir !== undefined) {
    jobText = dir;
    dir = undefined;
  }
  const jobId = parseJobId(jobText, 'cancel a job');
  const client = RestClient.fromConfig(loadConfiguration(p, io.err));
  if (!savepoint) {
    io.out(`Cancelling job ${jobId}.`);
    try {
      await client.call('PATCH', `/jobs/${jobId}`);
    } catch (e) {
      throw new Error(`Could not cancel job ${jobId}.`, { cause: e });
    }
    io.out(`Cancelled job ${jobId}.`);
    return 0;
  }
  io.out('DEPRECATION WARNING: Cancelling a job with savepoint is deprecated. Use "stop" instead.');
  io.out(`Cancelling job ${jobId} with CANONICAL savepoint to ${dir ?? 'default savepoint directory'}.`);
  const { 'request-id': t } = await client.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/savepoints`, { 'target-directory': dir, 'cancel-job': true });
  const op = await client.waitFor(`/jobs/${jobId}/savepoints/${t}`);
  const failed = operationFailure(op);
  if (failed) throw new Error(`Could not cancel job ${jobId}.\n${failed}`);
  io.out(`Cancelled job ${jobId}. Savepoint stored in ${String(op.location)}.`);
  return 0;
}

/** `savepoint <jobId> [dir]`. */
export async function savepointAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parseArgs(argv, [...COMMON_OPTIONS, { short: 'd', long: 'dispose', takesValue: true }] as OptionSpec[], false);
  const client = RestClient.fromConfig(loadConfiguration(p, io.err));
  const dispose = stringOption(p, 'dispose');
  if (dispose !== undefined) {
    io.out(`Disposing savepoint '${dispose}'.`);
    io.out('Waiting for response...');
    const { 'request-id': t } = await client.call<{ 'request-id': string }>('POST', '/savepoint-disposal', { 'savepoint-path': dispose });
    const op = await client.waitFor(`/savepoint-disposal/${t}`);
    const failed = operationFailure(op);
    if (failed) throw new Error(`Failed to dispose savepoint '${dispose}'.\n${failed}`);
    io.out(`Savepoint '${dispose}' disposed.`);
    return 0;
  }
  const jobId = parseJobId(p.positional[0], 'trigger a savepoint');
  const dir = p.positional[1];
  if (p.positional.length > 2) io.out('Provided more arguments than required. Ignoring not needed arguments.');
  io.out(`Triggering savepoint for job ${jobId}.`);
  io.out('Waiting for response...');
  let op;
  try {
    const { 'request-id': t } = await client.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/savepoints`, { 'target-directory': dir, 'cancel-job': false });
    op = await client.waitFor(`/jobs/${jobId}/savepoints/${t}`);
  } catch (e) {
    throw new Error(`Failed to trigger a savepoint for the job ${jobId}.`, { cause: e });
  }
  const failed = operationFailure(op);
  if (failed) throw new Error(`Failed to trigger a savepoint for the job ${jobId}.\n${failed}`);
  io.out(`Savepoint completed. Path: ${String(op.location)}`);
  io.out('You can resume your program from this savepoint with the run command.');
  return 0;
}

/** `stop [--savepointPath dir] [--drain] <jobId>`. */
export async function stopAction(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parseArgs(argv, [...COMMON_OPTIONS, { short: 'p', long: 'savepointPath', takesValue: true, optionalValue: true }, { short: 'd', long: 'drain', takesValue: false }] as OptionSpec[], false);
  // -p takes an optional directory: `stop -p <jobId>` means the default directory.
  let dir = stringOption(p, 'savepointPath');
  let jobText = p.positional[0];
  if (jobText === undefined && dir !== undefined && /^[0-9a-fA-F]{32}$/.test(dir)) {
    jobText = dir;
    dir = undefined;
  }
  const jobId = parseJobId(jobText, 'stop a job');
  const client = RestClient.fromConfig(loadConfiguration(p, io.err));
  const drain = p.options['drain'] === true;
  io.out(`${drain ? 'Draining' : 'Suspending'} job "${jobId}" with a CANONICAL savepoint.`);
  io.out(`Triggering stop-with-savepoint for job ${jobId}.`);
  io.out('Waiting for response...');
  let op;
  try {
    const { 'request-id': t } = await client.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/stop`, { targetDirectory: dir, drain });
    op = await client.waitFor(`/jobs/${jobId}/savepoints/${t}`);
  } catch (e) {
    throw new Error(`Could not stop with a savepoint job "${jobId}".`, { cause: e });
  }
  const failed = operationFailure(op);
  if (failed) throw new Error(`Could not stop with a savepoint job "${jobId}".\n${failed}`);
  io.out(`Savepoint completed. Path: ${String(op.location)}`);
  return 0;
}
