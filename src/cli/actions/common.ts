/**
 * What the run and info actions share: the options common to all actions and loading the
 * configuration.
 */
import { applyDynamicProperties, checkConfiguration, configDirectory, loadConfigFile, type ConfigMap } from '../../config/index.js';
import { CliArgumentError, listOption, stringOption, type ParsedArgs } from '../args.js';

/** Loads config.yaml and applies -D (and -m as rest.address/rest.port). */
export function loadConfiguration(p: ParsedArgs, warn: (m: string) => void): ConfigMap {
  const conf = applyDynamicProperties(loadConfigFile(configDirectory(stringOption(p, 'conf-dir')), warn), listOption(p, 'D'), warn);
  checkConfiguration(conf, warn);
  const jm = stringOption(p, 'jobmanager');
  if (jm !== undefined) {
    const m = /^(.+):(\d+)$/.exec(jm);
    if (!m) throw new CliArgumentError(`Invalid jobmanager address '${jm}': expected host:port`);
    conf['rest.address'] = m[1]!;
    conf['rest.port'] = m[2]!;
    conf['execution.target'] = 'remote';
  }
  const target = stringOption(p, 'target');
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
