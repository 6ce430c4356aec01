/**
 * The `miniflink` command: Flink's `bin/flink` actions (run, info; list, savepoint, cancel, stop
 * and cluster arrive with the cluster issue). Exit code 0 on success, 1 on any error.
 */
import { readFileSync } from 'node:fs';
import { CliArgumentError } from './args.js';
import { infoAction } from './actions/info.js';
import { runAction, type CliIO } from './actions/run.js';
import { cancelAction, listAction, savepointAction, stopAction } from './actions/jobs.js';
import { clusterAction } from './actions/cluster.js';
import { formatProgramException, HELP_HINT } from './output.js';

const ACTIONS: Record<string, (argv: readonly string[], io: CliIO) => Promise<number>> = {
  run: runAction,
  info: infoAction,
  list: listAction,
  cancel: cancelAction,
  savepoint: savepointAction,
  stop: stopAction,
  cluster: clusterAction,
};

const USAGE = `./miniflink <ACTION> [OPTIONS] [ARGUMENTS]

The following actions are available:

Action "run" compiles and runs a program.
  Syntax: run [OPTIONS] <job.ts|job.js> <arguments>
  "run" action options:
     -c,--class <name>              Exported function to call with the arguments
                                    instead of the module's top-level code.
     -d,--detached                  If present, runs the job in detached mode.
     -p,--parallelism <parallelism> The parallelism with which to run the program.
     -t,--target <target>           local: an embedded cluster in this process;
                                    remote: a running cluster.
     -D <property=value>            Allows specifying multiple generic configuration options.

Action "info" shows the optimized execution plan of the program (JSON).
  Syntax: info [OPTIONS] <job.ts|job.js> <arguments>
  "info" action options:
     -c,--class <name>              Entry function.
     -p,--parallelism <parallelism> The parallelism with which to run the program.
`;

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '-h' || action === '--help') {
    io.out(USAGE);
    return action === undefined ? 1 : 0;
  }
  if (action === '-v' || action === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.out(`Version: ${pkg.version}, Commit ID: DeadD0d0`);
    return 0;
  }
  const run = ACTIONS[action];
  if (!run) {
    io.err(`"${action}" is not a valid action.`);
    io.err('');
    io.err('Valid actions are "run", "info", "list", "cancel", "savepoint", "stop", "cluster".');
    io.err('');
    io.err('Specify the version option (-v or --version) to print Flink version.');
    io.err('');
    io.err('Specify the help option (-h or --help) to get help on the command.');
    return 1;
  }
  if (rest.includes('-h') && rest.indexOf('-h') < (rest.findIndex((a) => !a.startsWith('-')) >>> 0)) {
    io.out(USAGE);
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
      io.err(formatProgramException(e));
    }
    return 1;
  }
}
