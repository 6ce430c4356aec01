/**
 * The CLI's help, version and errors (issue #8): `-h` documents every action and exactly the
 * options its parser takes (the expectation comes from the declarations in src/cli/help.ts, which
 * the parsers use too); `checkpoint [-full]` on a real checkpointing job; an unknown job gives
 * Flink's lines for stop, cancel, savepoint and checkpoint, with no JavaScript frames. Flink's
 * options that miniflink does not take fail with Flink's `Unrecognized option` and the reason,
 * instead of being read as another option with a glued value.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, COMMON_OPTIONS, actionOptions, optionSyntax, unsupportedOptions, type OptionDoc } from '../../src/cli/help.js';
import { ROOT, runCli, runCliInProcess } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-cli-help-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The option column of each option line of a help text (`-p,--parallelism <parallelism>`). */
function listedOptions(help: string): string[] {
  return help
    .split('\n')
    .filter((l) => /^ {5}(-\S| {3}--\S)/.test(l))
    .map((l) => /^((?: {3})?\S.*?)(?: {3,}.*)?$/.exec(l.slice(5))![1]!);
}

/** The lines of one section (`"run" action options:`) of a help text, up to the next heading. */
function section(help: string, heading: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l === `  ${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

const sorted = (xs: readonly string[]) => [...xs].sort();

describe('cli help', () => {
  it('help - each action prints only its part: its own options and the common ones, exactly as declared', async () => {
    for (const [i, action] of ACTIONS.entries()) {
      // The first through the real command, the others through its main() in this process (the same code).
      const r = i === 0 ? await runCli([action.name, '-h']) : await runCliInProcess([action.name, '-h']);
      expect(r.code, action.name).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`Action "${action.name}" ${action.miniflink ? '(miniflink) ' : ''}${action.summary}`);
      expect(r.stdout).toContain(`  Syntax: ${action.syntax[0]}`);
      for (const other of ACTIONS.filter((a) => a.name !== action.name)) expect(r.stdout).not.toContain(`Action "${other.name}"`);
      expect(sorted(listedOptions(section(r.stdout, `"${action.name}" action options:`)))).toEqual(sorted(action.options.map(optionSyntax)));
      expect(sorted(listedOptions(section(r.stdout, 'Options for default mode:')))).toEqual(sorted(COMMON_OPTIONS.map(optionSyntax)));
      // Every accepted option, and nothing else.
      expect(sorted(listedOptions(r.stdout))).toEqual(sorted(actionOptions(action.name).map(optionSyntax)));
    }
  });

  it('help - options and actions Flink does not have are marked (miniflink)', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const marked = (o: OptionDoc) => new RegExp(`^ {5}${optionSyntax(o).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\(miniflink\\) `, 'm');
    for (const a of ACTIONS) {
      for (const o of actionOptions(a.name).filter((x) => x.miniflink)) expect(r.stdout).toMatch(marked(o));
      if (a.miniflink) expect(r.stdout).toContain(`Action "${a.name}" (miniflink) `);
    }
    expect(ACTIONS.find((a) => a.name === 'cluster')?.miniflink).toBe(true);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('"local" (miniflink): an embedded cluster');
  });

  it('help - -h without an action documents every action, -h and -v; no action prints it and fails', async () => {
    const r = await runCli(['-h']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('./miniflink <ACTION> [OPTIONS] [ARGUMENTS]\n\nThe following actions are available:\n')).toBe(true);
    for (const a of ACTIONS) expect(r.stdout).toContain(`Action "${a.name}" `);
    expect(listedOptions(section(r.stdout, 'Options without an action:'))).toEqual(['-h,--help', '-v,--version']);
    for (const line of r.stdout.split('\n').filter((l) => /^ {5}-/.test(l))) expect(line.length, line).toBeLessThanOrEqual(80);
    const none = await runCli([]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('The following actions are available:');
    expect(none.stdout).toContain('Please specify an action.');
  });

  it('help - every option the help lists is taken by the real CLI (none is refused)', async () => {
    const values: Record<string, string> = { D: 'a=b', jobmanager: '127.0.0.1:1', target: 'remote', 'conf-dir': root };
    for (const action of ACTIONS) {
      const args = actionOptions(action.name)
        .filter((o) => o.long !== 'help')
        .flatMap((o) => [o.short !== undefined ? `-${o.short}` : `--${o.long}`, ...(o.takesValue ? [values[o.long] ?? 'x'] : [])]);
      // `cluster stop` (not start): the call fails at once on port 1.
      const r = await runCliInProcess([action.name, ...(action.subActions ? ['stop'] : []), ...args]);
      expect(r.stderr, `${action.name} ${args.join(' ')}`).not.toMatch(/Unrecognized option|Missing argument|takes no value/);
    }
    const refused = await runCli(['checkpoint', '--bogus']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Unrecognized option: --bogus');
  });

  it("options - Flink's options miniflink does not take fail with Flink's message and the reason, not as another option", async () => {
    const cases: Array<[string[], string]> = [
      [['run', '-sae', 'test/jobs/client-job.ts'], "Unrecognized option: -sae. miniflink does not support Flink's -sae,--shutdownOnAttachedExit: "],
      [['run', '--shutdownOnAttachedExit', 'test/jobs/client-job.ts'], "Unrecognized option: --shutdownOnAttachedExit. miniflink does not support Flink's -sae,--shutdownOnAttachedExit: "],
      [['run', '-py', 'job.py'], "Unrecognized option: -py. miniflink does not support Flink's -py,--python: miniflink runs JavaScript and TypeScript job modules"],
      [['run', '--python', 'job.py'], "Unrecognized option: --python. miniflink does not support Flink's -py,--python: "],
      [['run', '-pym', 'job', 'test/jobs/client-job.ts'], "Unrecognized option: -pym. miniflink does not support Flink's -pym,--pyModule: "],
      [['run', '-C', 'file:///lib.jar', 'test/jobs/client-job.ts'], "Unrecognized option: -C. miniflink does not support Flink's -C,--classpath: "],
      [['info', '-d', 'test/jobs/client-job.ts'], "Unrecognized option: -d. miniflink does not support Flink's -d,--detached: info runs no job"],
      [['stop', '-type', 'native', '0123456789abcdef0123456789abcdef'], "Unrecognized option: -type. miniflink does not support Flink's -type: savepoints are always in miniflink's one canonical format"],
      [['savepoint', '-detached', '0123456789abcdef0123456789abcdef'], "Unrecognized option: -detached. miniflink does not support Flink's -detached: the action waits"],
      [['cancel', '-type', 'canonical', '0123456789abcdef0123456789abcdef'], "Unrecognized option: -type. "],
      [['list', '-z', 'ns'], "Unrecognized option: -z. miniflink does not support Flink's -z,--zookeeperNamespace: "],
    ];
    for (const [args, message] of cases) {
      const r = await runCliInProcess(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.startsWith(message), `${args.join(' ')}\n${r.stderr}`).toBe(true);
      expect(r.stderr).toContain('Use the help option (-h or --help) to get help on the command.');
    }
    // Flink's -t targets other than local and remote.
    const target = await runCli(['run', '-t', 'yarn-session', 'test/jobs/client-job.ts']);
    expect(target.code).toBe(1);
    expect(target.stderr).toContain("Unsupported execution target 'yarn-session'");
  });

  it('options - a long name after one dash is that option, as commons-cli reads it (-detached is --detached)', async () => {
    // Detached, the program's executeAndCollect() is refused before the client contacts any cluster.
    const r = await runCli(['run', '-detached', '-m', '127.0.0.1:1', 'test/jobs/client-job.ts']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('executeAndCollect() needs an attached run');
    // An error of the client itself: its message, no frames.
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const unreachable = await runCli(['run', '-m', '127.0.0.1:1', 'test/jobs/client-job.ts']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("MiniFlinkError [MF_ERR_CLUSTER_SHUT_DOWN]: Could not reach the cluster's REST endpoint at http://127.0.0.1:1");
    expect(unreachable.stderr).not.toMatch(/^\s+at /m);
  });

  it('options - no refused Flink option shadows one an action takes', () => {
    for (const action of ACTIONS) {
      const taken = actionOptions(action.name).flatMap((o) => [o.short, o.long]);
      for (const o of unsupportedOptions(action.name)) {
        expect(taken, `${action.name} -${o.short ?? ''} --${o.long}`).not.toContain(o.long);
        if (o.short !== undefined) expect(taken, `${action.name} -${o.short}`).not.toContain(o.short);
      }
    }
  });

  it('help - -v and --version print the version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['-v', '--version']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Version: ${version.replace(/\./g, '\\.')}, Commit ID: \\S+\\n$`));
    }
  });

  it("errors - the CLI's own errors print Flink-style messages without JavaScript frames; a job's own line stays", async () => {
    const conf = join(root, 'broken-conf');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'config.yaml'), 'parallelism.default: [1\n');
    const cases: Array<[string[], string]> = [
      [['run', '-t', 'local', 'test/jobs/no-such-job.ts'], `Could not get job jar and dependencies from JAR file: JAR file does not exist: ${join(ROOT, 'test/jobs/no-such-job.ts')}`],
      [['run', '-t', 'local', '-D', 'foo', 'test/jobs/client-job.ts'], "Invalid dynamic property '-D foo': expected -D key=value"],
      [['run', '-t', 'local', '--conf-dir', conf, 'test/jobs/client-job.ts'], `Could not parse ${join(conf, 'config.yaml')}: `],
      [['run', '-t', 'local', '-D', 'parallelism.default=abc', 'test/jobs/client-job.ts'], "Could not parse value 'abc' for key 'parallelism.default'."],
      [['run', '-t', 'local', '-D', 'parallelism.default=0', 'test/jobs/client-job.ts'], "Invalid value '0' for key 'parallelism.default': it must be at least 1."],
      [['run', '-t', 'local', '-D', 'execution.checkpointing.interval=often', 'test/jobs/client-job.ts'], "Could not parse value 'often' for key 'execution.checkpointing.interval'."],
      [['run', '-t', 'local', '-D', 'state.backend.type=paper', 'test/jobs/client-job.ts'], "Could not parse value 'paper' for key 'state.backend.type'."],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr, args.join(' ')).not.toMatch(/^\s+at /m);
      expect(r.stdout, args.join(' ')).not.toContain('Job has been submitted');
    }
    // More slots than an embedded cluster offers: the message, and the job's own line that ran the job (no miniflink frames).
    const slots = await runCli(['run', '-t', 'local', '-p', '3', '-D', 'taskmanager.numberOfTaskSlots=1', 'test/jobs/client-job.ts']);
    expect(slots.code).toBe(1);
    expect(slots.stderr).toContain('MiniFlinkError [MF_ERR_NOT_ENOUGH_SLOTS]: ');
    const frames = slots.stderr.split('\n').filter((l) => /^\s+at /.test(l));
    expect(frames.length, slots.stderr).toBeGreaterThan(0);
    for (const f of frames) expect(f, slots.stderr).toContain(join(ROOT, 'test/jobs/client-job.ts'));
  });

  it('options - -t local is refused by the actions that always talk to a running cluster, with the reason', async () => {
    for (const action of ['list', 'savepoint', 'cancel', 'stop', 'checkpoint']) {
      const args = [action, '-t', 'local', ...(action === 'list' ? [] : ['0123456789abcdef0123456789abcdef'])];
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(`"${action}" talks to a running cluster through its REST API: -t local (an embedded cluster in the CLI process) exists for "run" only.`);
      expect(r.stdout).toBe('');
    }
    // Nor does an unreachable cluster suggest -t local to an action that has no such thing.
    const list = await runCli(['list', '-m', '127.0.0.1:1']);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain("Start one with 'miniflink cluster start'.");
    expect(list.stderr).not.toContain('-t local');
  });

  it('help - an unknown action names the valid ones', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"frobnicate" is not a valid action.');
    const names = ACTIONS.map((a) => `"${a.name}"`);
    expect(r.stderr).toContain(`Valid actions are ${names.slice(0, -1).join(', ')}, or ${names[names.length - 1]}.`);
    expect(r.stderr).toContain('Specify the help option (-h or --help) to get help on the command.');
  });
});

describe('cli actions on a cluster', () => {
  let cluster: ChildProcess | undefined;
  let base = '';
  let m: string[] = [];

  beforeAll(async () => {
    ({ cluster, base } = await startCluster([`web.upload.dir=${join(root, 'uploads')}`]));
    m = ['-m', base.replace('http://', '')];
  }, 60_000);

  afterAll(async () => {
    await stopCluster(cluster);
  });

  async function waitForState(jobId: string, state: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const r = (await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string };
      if (r.state === state) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`job ${jobId} never reached ${state}`);
  }

  it('checkpoint - triggers a checkpoint of a running job and prints its id; -full prints Checkpoint(FULL)', async () => {
    const run = await runCli(['run', ...m, '-d', 'test/jobs/savepoint-job.ts', join(root, 'out'), '50000000', '100', 'run', 'slow']);
    expect(run.stderr).toBe('');
    const jobId = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, 'RUNNING');
    try {
      const r = await runCli(['checkpoint', ...m, jobId]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.slice(0, 2)).toEqual([`Triggering checkpoint for job ${jobId}.`, 'Waiting for response...']);
      expect(lines[2]).toMatch(new RegExp(`^Checkpoint (\\d+) for job ${jobId} completed\\.$`));
      expect(lines[3]).toBe('You can resume your program from this checkpoint with the run command.');
      const id = Number(/^Checkpoint (\d+)/.exec(lines[2]!)![1]);
      const details = (await (await fetch(`${base}/jobs/${jobId}/checkpoints/details/${id}`)).json()) as { id: number; status: string; is_savepoint: boolean };
      expect(details).toMatchObject({ id, status: 'COMPLETED', is_savepoint: false });

      const full = await runCli(['checkpoint', ...m, '-full', jobId]);
      expect(full.stderr).toBe('');
      expect(full.code).toBe(0);
      const fullId = Number(new RegExp(`^Checkpoint\\(FULL\\) (\\d+) for job ${jobId} completed\\.$`, 'm').exec(full.stdout)![1]);
      expect(fullId).toBeGreaterThan(id);
    } finally {
      await runCli(['cancel', ...m, jobId]);
    }
  });

  it('run -m - a failed job prints the failure and the stack of the user\'s error, no frames of the client', async () => {
    const r = await runCli(['run', ...m, 'test/jobs/bad-user-error.ts']);
    expect(r.code).toBe(1);
    const block = r.stderr.slice(r.stderr.indexOf('JobExecutionException'));
    expect(block.startsWith('JobExecutionException: Job execution failed.\nCaused by: TypeError: not a price: \'abc\'\n'), r.stderr).toBe(true);
    expect(block).toContain('bad-user-error.ts:6:');
    expect(r.stderr).not.toMatch(/cli\/(remote-executor|rest-client|actions)/);
  });

  it('unknown job - stop, cancel, savepoint and checkpoint print Flink\'s lines and no stack frames', async () => {
    const jobId = '0123456789abcdef0123456789abcdef';
    const expected: Array<[string[], string[]]> = [
      [['stop', jobId], [`Could not stop with a savepoint job "${jobId}".`, `Caused by: MiniFlinkError [MF_ERR_JOB_NOT_FOUND]: Job ${jobId} not found`, `Could not find Flink job (${jobId})`]],
      [['stop', '--drain', jobId], [`Could not stop with a savepoint job "${jobId}".`, `Job ${jobId} not found`]],
      [['cancel', jobId], [`Could not cancel job ${jobId}.`, 'Caused by: ', 'Job could not be found.']],
      [['cancel', '-s', jobId], [`Could not cancel job ${jobId}.`, `Job ${jobId} not found`]],
      [['savepoint', jobId], [`Failed to trigger a savepoint for the job ${jobId}.`, `Caused by: MiniFlinkError [MF_ERR_JOB_NOT_FOUND]: Job ${jobId} not found`]],
      [['checkpoint', jobId], [`Failed to trigger a checkpoint for the job ${jobId}.`, 'Caused by: ', `Job ${jobId} not found`]],
      [['checkpoint', '-full', jobId], [`Failed to trigger a checkpoint for the job ${jobId}.`, `Job ${jobId} not found`]],
    ];
    for (const [args, lines] of expected) {
      const r = await runCli([...args, ...m]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(' The program finished with the following exception:');
      for (const l of lines) expect(r.stderr, args.join(' ')).toContain(l);
      expect(r.stderr, args.join(' ')).not.toMatch(/^\s+at /m);
    }
  });
});
