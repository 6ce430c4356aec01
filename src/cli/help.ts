/**
 * The action catalogue: every action of `miniflink` and every option it takes, declared once with
 * its help text. The actions parse their arguments with these declarations (`actionOptions`) and
 * `-h` prints them (`formatHelp`, `formatActionHelp`), so the help can neither miss an option a
 * parser takes nor list one it refuses.
 *
 * The layout is Flink's `bin/flink -h` (commons-cli's HelpFormatter at width 80, left padding 5):
 *
 *   Action "stop" stops a running program with a savepoint (streaming jobs only).
 *
 *     Syntax: stop [OPTIONS] <Job ID>
 *     "stop" action options:
 *        -d,--drain                           Send MAX_WATERMARK before taking the
 *        -p,--savepointPath <savepointPath>   Path to the savepoint (for example ...
 *     Options for default mode:
 *        -D <property=value>   ...
 *
 * Options are sorted by name ignoring case; descriptions wrap in one column three spaces after the
 * longest option. What Flink's `bin/flink` lacks (an action, an option, a value) says `(miniflink)`.
 */
import type { OptionSpec } from './args.js';

/** An option as the catalogue declares it: the parser's spec with its help text. */
export interface OptionDoc extends OptionSpec {
  /** The help text. */
  readonly description: string;
}

/** One action of the command. */
export interface ActionDoc {
  /** The action's word (`run`). */
  readonly name: string;
  /** What the action does: the help prints `Action "<name>" <summary>`. */
  readonly summary: string;
  /** The syntax lines after `Syntax: `. */
  readonly syntax: readonly string[];
  /** The action's own options (the options every action takes come from COMMON_OPTIONS). */
  readonly options: readonly OptionDoc[];
  /** Options end at the first positional argument (what follows is the program's): run and info. */
  readonly stopAtPositional: boolean;
  /** Sub-actions given as the first argument, before the options (`cluster start`). */
  readonly subActions?: readonly string[];
  /** An action Flink's `bin/flink` does not have. */
  readonly miniflink?: boolean;
  /** Flink's options of this action that miniflink refuses, saying why (not in the help). */
  readonly unsupported?: readonly OptionSpec[];
}

/** The marker of what Flink's `bin/flink` does not have. */
export const MINIFLINK_MARK = '(miniflink)';

/** Options every action takes (Flink's "default mode" and generic CLI options). */
export const COMMON_OPTIONS: readonly OptionDoc[] = [
  {
    short: 'D',
    long: 'D',
    takesValue: true,
    repeatable: true,
    argName: 'property=value',
    description: "Allows specifying multiple generic configuration options (one -D each), over conf/config.yaml. The keys are Flink's.",
  },
  {
    short: 'm',
    long: 'jobmanager',
    takesValue: true,
    argName: 'host:port',
    description: 'Address of the JobManager (its REST endpoint) to which to connect. Use this flag to connect to a different JobManager than the one specified in the configuration (rest.address, rest.port).',
  },
  {
    short: 't',
    long: 'target',
    takesValue: true,
    argName: 'target',
    description: `Where "run" submits, as the "execution.target" config option: "remote" (the default: a running cluster, through its REST API) or "local" ${MINIFLINK_MARK}: an embedded cluster in the CLI process. The other actions always talk to a running cluster: they refuse "local".`,
  },
  {
    long: 'conf-dir',
    takesValue: true,
    argName: 'dir',
    miniflink: true,
    description: 'The directory of config.yaml (default: $MINIFLINK_CONF_DIR, else $FLINK_CONF_DIR, else ./conf). A directory given must exist; a flink-conf.yaml in it is ignored with a warning, as Flink 2.0 reads config.yaml only.',
  },
  { short: 'h', long: 'help', takesValue: false, description: 'Show the help message for the CLI Frontend or the action.' },
];

/** A Flink option miniflink refuses: the parser names it and says why (args.ts). */
function unsupported(short: string | undefined, long: string, takesValue: boolean, why: string): OptionSpec {
  return { ...(short !== undefined ? { short } : {}), long, takesValue, unsupported: why };
}

/** Options every Flink action takes that miniflink does not. */
const COMMON_UNSUPPORTED: readonly OptionSpec[] = [
  unsupported('e', 'executor', true, 'it is deprecated in Flink; use -t,--target'),
  unsupported('z', 'zookeeperNamespace', true, 'there is no high availability, so no ZooKeeper'),
  unsupported('yid', 'yarnapplicationId', true, 'miniflink runs on one machine only: there is no YARN'),
  unsupported('v', 'verbose', false, 'it is deprecated, and Flink ignores it'),
];

const PYTHON = 'miniflink runs JavaScript and TypeScript job modules: there is no Python API';

/** Flink's program options (run, info) that miniflink does not take. */
const PROGRAM_UNSUPPORTED: readonly OptionSpec[] = [
  unsupported('j', 'jarfile', true, 'the job module is the first argument after the options'),
  unsupported('a', 'arguments', true, 'the program arguments follow the job module'),
  unsupported('C', 'classpath', true, "what a job module imports is bundled with it (npm packages from the job's folder); there is no classpath"),
  unsupported('yd', 'yarndetached', false, 'miniflink runs on one machine only: there is no YARN (use -d for a detached run)'),
  unsupported('py', 'python', true, PYTHON),
  unsupported('pyfs', 'pyFiles', true, PYTHON),
  unsupported('pym', 'pyModule', true, PYTHON),
  unsupported('pyreq', 'pyRequirements', true, PYTHON),
  unsupported('pyarch', 'pyArchives', true, PYTHON),
  unsupported('pyexec', 'pyExecutable', true, PYTHON),
  unsupported('pyclientexec', 'pyClientExecutable', true, PYTHON),
  unsupported('pypath', 'pyPythonPath', true, PYTHON),
];

const SAE = unsupported('sae', 'shutdownOnAttachedExit', false, 'a job keeps running on the cluster when an attached client ends; cancel it with "miniflink cancel <Job ID>"');
const TYPE = unsupported('type', 'type', true, "savepoints are always in miniflink's one canonical format, which either state backend restores");
const DETACHED = unsupported('detached', 'detached', false, 'the action waits for the savepoint to complete');

const CLASS: OptionDoc = {
  short: 'c',
  long: 'class',
  takesValue: true,
  argName: 'name',
  description: "The exported function of the job module to call with the program arguments once its top-level code has run (Flink: the class with the program entry point).",
};

const PARALLELISM: OptionDoc = {
  short: 'p',
  long: 'parallelism',
  takesValue: true,
  argName: 'parallelism',
  description: 'The parallelism with which to run the program. Optional flag to override the default value specified in the configuration.',
};

/** Every action, in the order of the help. */
export const ACTIONS: readonly ActionDoc[] = [
  {
    name: 'run',
    summary: 'compiles and runs a program.',
    syntax: ['run [OPTIONS] <job.ts|job.js> <arguments>'],
    stopAtPositional: true,
    options: [
      CLASS,
      { short: 'd', long: 'detached', takesValue: false, description: 'If present, runs the job in detached mode: prints the JobID and returns.' },
      PARALLELISM,
      {
        short: 's',
        long: 'fromSavepoint',
        takesValue: true,
        argName: 'savepointPath',
        description: 'Path to a savepoint or retained checkpoint to restore the job from: its directory or its _metadata file, with or without file: (for example file:///flink/savepoint-1537).',
      },
      {
        short: 'n',
        long: 'allowNonRestoredState',
        takesValue: false,
        description: 'Allow to skip savepoint state that cannot be restored. You need to allow this if you removed an operator from your program that was part of the program when the savepoint was triggered.',
      },
      {
        short: 'cm',
        long: 'claimMode',
        takesValue: true,
        argName: 'arg',
        description: 'Defines how should we restore from the given savepoint. Supported options: [claim - claim ownership of the savepoint and delete once it is subsumed, no_claim (default) - do not claim ownership, legacy (deprecated) - treated as no_claim].',
      },
      { short: 'rm', long: 'restoreMode', takesValue: true, argName: 'arg', description: "This option is deprecated, please use 'claimMode' instead." },
    ],
    unsupported: [...PROGRAM_UNSUPPORTED, SAE],
  },
  {
    name: 'info',
    summary: 'shows the optimized execution plan of the program (JSON).',
    syntax: ['info [OPTIONS] <job.ts|job.js> <arguments>'],
    stopAtPositional: true,
    options: [CLASS, PARALLELISM],
    unsupported: [...PROGRAM_UNSUPPORTED, SAE, unsupported('d', 'detached', false, 'info runs no job: it prints the plan')],
  },
  {
    name: 'bench',
    summary: 'runs a job under every combination of scheduling choices (chaining, slot sharing, parallelism) on embedded clusters of its own (-m and -t do not apply) and compares them.',
    syntax: ['bench [OPTIONS] <job.ts|job.js> <arguments> [--matrix <dim=values>...] [--records <n>] [--runs <n>] [--timeout <seconds>] [--json <file>]'],
    stopAtPositional: true,
    miniflink: true,
    options: [
      CLASS,
      {
        long: 'matrix',
        takesValue: true,
        repeatable: true,
        argName: 'dim=values',
        description: 'A dimension and its values, comma-separated: chaining=on,off (pipeline.operator-chaining.enabled), slot-sharing=on,off (pipeline.slot-sharing.enabled), parallelism=1,2 (parallelism.default), local-exchange=serialized,by-reference (pipeline.local-exchange.by-reference). Several dimensions multiply; after the job\'s arguments, one --matrix takes every following dim=values word.',
      },
      { long: 'records', takesValue: true, argName: 'n', description: 'The records one run processes, for records/s (default: what the job\'s sources emitted).' },
      { long: 'runs', takesValue: true, argName: 'n', description: 'Runs per combination (default 5), interleaved, after one warm-up run.' },
      { long: 'timeout', takesValue: true, argName: 'seconds', description: 'Longest a run may take (default 600): a job that does not end by then stops the benchmark. So does a run whose job fails and restarts.' },
      { long: 'json', takesValue: true, argName: 'file', description: 'Also write the results to this JSON file, and a bar chart beside it (the same name, .svg).' },
    ],
  },
  {
    name: 'list',
    summary: 'lists running and scheduled programs.',
    syntax: ['list [OPTIONS]'],
    stopAtPositional: false,
    options: [
      { short: 'a', long: 'all', takesValue: false, description: 'Show all programs and their JobIDs' },
      { short: 'r', long: 'running', takesValue: false, description: 'Show only running programs and their JobIDs' },
      { short: 's', long: 'scheduled', takesValue: false, description: 'Show only scheduled programs and their JobIDs' },
    ],
  },
  {
    name: 'stop',
    summary: 'stops a running program with a savepoint (streaming jobs only).',
    syntax: ['stop [OPTIONS] <Job ID>'],
    stopAtPositional: false,
    options: [
      { short: 'd', long: 'drain', takesValue: false, description: 'Send MAX_WATERMARK before taking the savepoint and stopping the pipeline.' },
      {
        short: 'p',
        long: 'savepointPath',
        takesValue: true,
        optionalValue: true,
        argName: 'savepointPath',
        description: 'Path to the savepoint (for example file:///flink/savepoint-1537). If no directory is specified, the configured default will be used ("execution.checkpointing.savepoint-dir").',
      },
    ],
    unsupported: [TYPE, DETACHED],
  },
  {
    name: 'cancel',
    summary: 'cancels a running program.',
    syntax: ['cancel [OPTIONS] <Job ID>'],
    stopAtPositional: false,
    options: [
      {
        short: 's',
        long: 'withSavepoint',
        takesValue: true,
        optionalValue: true,
        argName: 'targetDirectory',
        description: '**DEPRECATION WARNING**: Cancelling a job with savepoint is deprecated. Use "stop" instead. Trigger savepoint and cancel job. The target directory is optional. If no directory is specified, the configured default directory (execution.checkpointing.savepoint-dir) is used.',
      },
    ],
    unsupported: [TYPE],
  },
  {
    name: 'savepoint',
    summary: 'triggers savepoints for a running job or disposes existing ones.',
    syntax: ['savepoint [OPTIONS] <Job ID> [<target directory>]'],
    stopAtPositional: false,
    options: [{ short: 'd', long: 'dispose', takesValue: true, argName: 'arg', description: 'Path of savepoint to dispose.' }],
    unsupported: [TYPE, DETACHED, unsupported('j', 'jarfile', true, 'disposing a savepoint needs no job module')],
  },
  {
    name: 'checkpoint',
    summary: 'triggers checkpoints for a running job.',
    syntax: ['checkpoint [OPTIONS] <Job ID>'],
    stopAtPositional: false,
    options: [
      {
        short: 'full',
        long: 'full',
        takesValue: false,
        description: "Defines whether to trigger this checkpoint as a full one. (miniflink's checkpoints are always full; the option changes the completed line to Checkpoint(FULL).)",
      },
    ],
  },
  {
    name: 'fail',
    summary: 'injects a fault into a running job (a subtask failure, a lost TaskManager, failing or stalling checkpoints).',
    syntax: ['fail [OPTIONS] <Job ID> subtask <Vertex ID> <subtask index>', 'fail [OPTIONS] <Job ID> taskmanager <TaskManager ID>', 'fail [OPTIONS] <Job ID> checkpoint fail|stall [<count>]'],
    stopAtPositional: false,
    miniflink: true,
    options: [
      {
        long: 'vertex',
        takesValue: true,
        argName: 'Vertex ID',
        miniflink: true,
        description: 'With checkpoint: the vertex whose subtask fails or stalls its checkpoints (default: the first vertex).',
      },
      {
        long: 'subtask',
        takesValue: true,
        argName: 'index',
        miniflink: true,
        description: 'With checkpoint: the subtask index (default: 0).',
      },
    ],
  },
  {
    name: 'cluster',
    summary: 'starts a standalone cluster serving the REST API, or stops one.',
    syntax: ['cluster start [OPTIONS]', 'cluster stop [OPTIONS]'],
    stopAtPositional: false,
    subActions: ['start', 'stop'],
    miniflink: true,
    options: [
      {
        long: 'daemon',
        takesValue: false,
        miniflink: true,
        description: 'With start: run the cluster in the background; its output and a pid file go to env.log.dir.',
      },
      {
        long: 'job',
        takesValue: true,
        argName: 'job module',
        miniflink: true,
        description: 'With start: once the cluster serves, run this job module on it (as `run -m` would) and print the web UI\'s address of the job (`npm start` runs examples/live-sensors.ts so).',
      },
    ],
  },
];

/** An action's declaration; throws for an unknown name (a bug: callers pass their own name). */
export function actionDoc(name: string): ActionDoc {
  const a = ACTIONS.find((x) => x.name === name);
  if (!a) throw new Error(`No action "${name}" is declared in src/cli/help.ts`);
  return a;
}

/** Everything an action's parser takes: its own options, then the common ones (what its help lists). */
export function actionOptions(name: string): readonly OptionDoc[] {
  return [...actionDoc(name).options, ...COMMON_OPTIONS];
}

/**
 * What an action's parser knows: the options it takes (actionOptions) and the options of Flink's
 * action that miniflink refuses, each with the reason the parser gives.
 */
export function parserOptions(name: string): readonly OptionSpec[] {
  return [...actionOptions(name), ...(actionDoc(name).unsupported ?? []), ...COMMON_UNSUPPORTED];
}

/** The options of Flink's action that miniflink refuses (actionDoc's `unsupported` and the common ones). */
export function unsupportedOptions(name: string): readonly OptionSpec[] {
  return [...(actionDoc(name).unsupported ?? []), ...COMMON_UNSUPPORTED];
}

const WIDTH = 80;
const LEFT_PAD = '     ';
const DESC_PAD = 3;

/** The option column of one option, as commons-cli writes it: `-p,--parallelism <parallelism>`. */
export function optionSyntax(o: OptionSpec): string {
  let s = o.short !== undefined ? `-${o.short}` : '   ';
  // A one-letter long name equal to the short one only keys a short-only option (Flink's -D).
  if (!(o.long === o.short && o.long.length === 1)) s += o.short !== undefined ? `,--${o.long}` : `--${o.long}`;
  if (o.takesValue) s += ` <${o.argName ?? 'arg'}>`;
  return s;
}

/** Words wrapped to `width` columns; a word longer than a line stands alone on its line. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w.length > 0)) {
      if (line.length > 0 && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line.length > 0 ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines;
}

/** An options table: sorted by name ignoring case, descriptions wrapped in one column. */
function optionsTable(options: readonly OptionDoc[]): string[] {
  // commons-cli's order: by the short name, else the long one, ignoring case (a stable sort).
  const key = (o: OptionDoc) => (o.short ?? o.long).toLowerCase();
  const sorted = [...options].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const column = Math.max(...sorted.map((o) => optionSyntax(o).length));
  const indent = ' '.repeat(LEFT_PAD.length + column + DESC_PAD);
  const out: string[] = [];
  for (const o of sorted) {
    const description = o.miniflink ? `${MINIFLINK_MARK} ${o.description}` : o.description;
    const [first = '', ...rest] = wrap(description, WIDTH - indent.length);
    out.push(`${LEFT_PAD}${optionSyntax(o).padEnd(column + DESC_PAD)}${first}`.trimEnd());
    for (const l of rest) out.push(`${indent}${l}`);
  }
  return out;
}

/** The help of one action, as Flink's `bin/flink <action> -h` prints it. */
export function formatActionHelp(name: string): string {
  const a = actionDoc(name);
  const lines = ['', `Action "${a.name}" ${a.miniflink ? `${MINIFLINK_MARK} ` : ''}${a.summary}`, ''];
  a.syntax.forEach((s, i) => lines.push(`  ${i === 0 ? 'Syntax: ' : '        '}${s}`));
  lines.push(`  "${a.name}" action options:`, ...optionsTable(a.options));
  lines.push('  Options for default mode:', ...optionsTable(COMMON_OPTIONS), '');
  return lines.join('\n');
}

/** Options given without an action. */
const GENERAL_OPTIONS: readonly OptionDoc[] = [
  { short: 'h', long: 'help', takesValue: false, description: 'Show this help message.' },
  { short: 'v', long: 'version', takesValue: false, description: 'Print the version: Version: <version>, Commit ID: <id>.' },
];

/** The whole help, as Flink's `bin/flink -h` prints it. */
export function formatHelp(): string {
  const lines = ['./miniflink <ACTION> [OPTIONS] [ARGUMENTS]', '', 'The following actions are available:'];
  for (const a of ACTIONS) lines.push(formatActionHelp(a.name));
  lines.push('', '  Options without an action:', ...optionsTable(GENERAL_OPTIONS), '');
  return lines.join('\n');
}
