/**
 * The `miniflink` command: Flink's `bin/flink` actions (run, info, list, stop, cancel, savepoint,
 * checkpoint) and miniflink's `fail` and `cluster`, declared with their options in help.ts. Exit code 0 on
 * success, 1 on any error.
 */
import { readFileSync } from 'node:fs';
import { CliArgumentError, parseArgs } from './args.js';
import { infoAction } from './actions/info.js';
import { runAction, type CliIO } from './actions/run.js';
import { cancelAction, checkpointAction, listAction, savepointAction, stopAction } from './actions/jobs.js';
import { clusterAction } from './actions/cluster.js';
import { failAction } from './actions/fail.js';
import { benchAction } from './actions/bench.js';
import { ACTIONS, actionDoc, formatActionHelp, formatHelp, parserOptions } from './help.js';
import { formatProgramException, HELP_HINT, withoutInternalFrames } from './output.js';

/** Each declared action's implementation. */
const RUNNERS: Record<string, (argv: readonly string[], io: CliIO) => Promise<number>> = {
  run: runAction,
  info: infoAction,
  list: listAction,
  stop: stopAction,
  cancel: cancelAction,
  savepoint: savepointAction,
  checkpoint: checkpointAction,
  fail: failAction,
  cluster: clusterAction,
  bench: benchAction,
};

/** `"a", "b", or "c"`. */
function quotedList(names: readonly string[]): string {
  const q = names.map((n) => `"${n}"`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')}, or ${q[q.length - 1]}` : q.join('');
}

/**
 * Whether the action's arguments ask for its help: `-h`/`--help` among its options, parsed as the
 * action parses them (after a sub-action word such as `cluster start`; not among the program's
 * arguments after `run <job>`). Arguments the parser refuses are left to the action to report.
 */
function asksForHelp(action: string, argv: readonly string[]): boolean {
  const doc = actionDoc(action);
  const args = doc.subActions?.includes(argv[0] ?? '') ? argv.slice(1) : argv;
  try {
    return parseArgs(args, parserOptions(action), doc.stopAtPositional).options['help'] === true;
  } catch {
    return false;
  }
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined) {
    io.out(formatHelp());
    io.out('Please specify an action.');
    return 1;
  }
  if (action === '-h' || action === '--help') {
    io.out(formatHelp());
    return 0;
  }
  if (action === '-v' || action === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.out(`Version: ${pkg.version}, Commit ID: DeadD0d0`);
    return 0;
  }
  const run = RUNNERS[action];
  if (!run) {
    io.err(`"${action}" is not a valid action.`);
    io.err('');
    io.err(`Valid actions are ${quotedList(ACTIONS.map((a) => a.name))}.`);
    io.err('');
    io.err('Specify the version option (-v or --version) to print Flink version.');
    io.err('');
    io.err('Specify the help option (-h or --help) to get help on the command.');
    return 1;
  }
  if (asksForHelp(action, rest)) {
    io.out(formatActionHelp(action));
    return 0;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (e instanceof CliArgumentError) {
      io.err(e.message);
      io.err('');
      io.err(HELP_HINT);
    } else {
      io.err(formatProgramException(withoutInternalFrames(e)));
    }
    return 1;
  }
}
