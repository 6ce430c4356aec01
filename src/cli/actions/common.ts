/**
 * What the actions share: loading the configuration (config.yaml, -D, -m, -t) and parsing -p.
 */
import { applyDynamicProperties, checkConfiguration, configDirectory, loadConfigFile, type ConfigMap } from '../../config/index.js';
import { CliArgumentError, listOption, stringOption, type ParsedArgs } from '../args.js';

/** Actions that submit a program, and so take `-t local` (info only builds the plan: it accepts and ignores it). */
const TARGET_ACTIONS = new Set(['run', 'info']);

/**
 * Loads config.yaml and applies -D (and -m as rest.address/rest.port, -t as execution.target);
 * refuses a value that does not parse as its option's type. `-t local` is refused for an action
 * that always talks to a running cluster (list, cancel, ...).
 */
export function loadConfiguration(p: ParsedArgs, warn: (m: string) => void, action: string): ConfigMap {
  const conf = applyDynamicProperties(loadConfigFile(configDirectory(stringOption(p, 'conf-dir')), warn), listOption(p, 'D'), warn);
  checkConfiguration(conf, warn);
  const jm = stringOption(p, 'jobmanager');
  if (jm !== undefined) {
    // host:port (an http:// in front, as a REST address is written, is taken off).
    const m = /^(?:https?:\/\/)?([^/:\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(jm);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new CliArgumentError(`Invalid jobmanager address '${jm}': expected host:port (a port from 1 to 65535)`);
    conf['rest.address'] = m[1]!;
    conf['rest.port'] = m[2]!;
    conf['execution.target'] = 'remote';
  }
  const target = stringOption(p, 'target');
  if (target !== undefined && !TARGET_ACTIONS.has(action) && target !== 'remote') {
    throw new CliArgumentError(
      action === 'cluster'
        ? `"cluster" starts or stops a standalone cluster: -t ${target} does not apply to it.`
        : target === 'local'
        ? `"${action}" talks to a running cluster through its REST API: -t local (an embedded cluster in the CLI process) exists for "run" only. Leave -t out, or give the cluster with -m host:port.`
        : `Unsupported execution target '${target}': "${action}" talks to a running miniflink cluster (-t remote, the default).`,
    );
  }
  if (target !== undefined) conf['execution.target'] = target;
  return conf;
}

/** Parses -p: Flink's message for a bad value. */
export function parseParallelism(p: ParsedArgs): number | undefined {
  const v = stringOption(p, 'parallelism');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*-?\d+\s*$/.test(v) || !Number.isInteger(n) || n < 1) throw new CliArgumentError(`The parallelism must be a positive number: ${v}`);
  return n;
}
