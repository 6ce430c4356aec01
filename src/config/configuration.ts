/**
 * Configuration as Flink layers it: `conf/config.yaml` (from `--conf-dir`, MINIFLINK_CONF_DIR or
 * FLINK_CONF_DIR), overridden by `-D key=value`, overridden by what the job sets in code. Values
 * are kept as strings; nested YAML maps flatten to dotted keys; deprecated keys map to their
 * canonical key with a warning; a value that does not parse as its option's type is refused
 * (option-values.ts).
 */
import { LOG4J_KEY } from '../core/logging.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MiniFlinkError } from '../core/errors.js';
import { validateConfiguration } from './option-values.js';
import { DEPRECATED_KEYS, NOT_IMPLEMENTED, OPTIONS, SUBSTITUTED_VALUES } from './options.js';

/** Configuration strings by canonical key. */
export type ConfigMap = Record<string, string>;

/** Flattens a YAML document's maps into dotted keys. */
export function flattenYaml(doc: unknown, prefix = '', out: ConfigMap = {}): ConfigMap {
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    out[prefix] = Array.isArray(doc) ? doc.map(String).join(';') : String(doc);
    return out;
  }
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenYaml(v, key, out);
    else if (v !== null && v !== undefined) out[key] = Array.isArray(v) ? v.map(String).join(';') : String(v);
  }
  return out;
}

/** Sets a key, mapping a deprecated name to its canonical one (with a warning). */
export function setKey(conf: ConfigMap, key: string, value: string, warn: (m: string) => void): void {
  const canonical = DEPRECATED_KEYS.get(key);
  if (canonical !== undefined) {
    warn(`Config uses deprecated configuration key '${key}' instead of proper key '${canonical}'`);
    conf[canonical] = value;
  } else conf[key] = value;
}

/**
 * Reads `<dir>/config.yaml`, if it exists. A Flink 1.x `flink-conf.yaml` there is not read (Flink
 * 2.0 reads config.yaml only): a warning says so.
 */
export function loadConfigFile(dir: string, warn: (m: string) => void): ConfigMap {
  const file = join(dir, 'config.yaml');
  const legacy = join(dir, 'flink-conf.yaml');
  if (existsSync(legacy)) {
    warn(`${legacy} is ignored: miniflink reads ${file} only, as Flink 2.0 does. Move its keys there (its flat 'key: value' lines are valid YAML).`);
  }
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse ${file}: ${(e as Error).message}`);
  }
  const conf: ConfigMap = {};
  for (const [k, v] of Object.entries(flattenYaml(doc))) setKey(conf, k, v, warn);
  return conf;
}

/** Parses `-D key=value` arguments onto a configuration. */
export function applyDynamicProperties(conf: ConfigMap, props: readonly string[], warn: (m: string) => void): ConfigMap {
  const out = { ...conf };
  for (const p of props) {
    const i = p.indexOf('=');
    if (i <= 0) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Invalid dynamic property '-D ${p}': expected -D key=value (Flink would read it as ${p}=true).`);
    setKey(out, p.slice(0, i).trim(), p.slice(i + 1).trim(), warn);
  }
  return out;
}

/**
 * The configuration directory: --conf-dir, else MINIFLINK_CONF_DIR, else FLINK_CONF_DIR, else
 * ./conf. A directory given by one of the first three must exist (Flink's CLI fails the same way
 * for FLINK_CONF_DIR); ./conf may be absent (then there is no config.yaml).
 */
export function configDirectory(confDir: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given: Array<[string | undefined, string]> = [
    [confDir, 'with --conf-dir'],
    [env['MINIFLINK_CONF_DIR'], "in the 'MINIFLINK_CONF_DIR' environment variable"],
    [env['FLINK_CONF_DIR'], "in the 'FLINK_CONF_DIR' environment variable"],
  ];
  const found = given.find(([dir]) => dir !== undefined && dir !== '');
  if (found === undefined) return 'conf';
  const [dir, where] = found as [string, string];
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The configuration directory '${dir}', specified ${where}, does not exist.`);
  return dir;
}

const IMPLEMENTED = new Set(OPTIONS.map((o) => o.key));
/** The keys of one metric reporter (`metrics.reporter.<name>.*`) that miniflink reads. */
const REPORTER_KEY = /^metrics\.reporter\.[^.]+\.(factory\.class|port|interval|scope\.variables\.excludes)$/;
const SCOPES = new Map(OPTIONS.map((o) => [o.key, o.scope]));

/** What miniflink does with a key it does not implement, or undefined for a key it implements. */
export function notImplemented(key: string): string | undefined {
  if (IMPLEMENTED.has(key) || REPORTER_KEY.test(key) || LOG4J_KEY.test(key)) return undefined;
  const exact = NOT_IMPLEMENTED.get(key);
  if (exact !== undefined) return exact;
  for (const [k, instead] of NOT_IMPLEMENTED) if (k.endsWith('.') && key.startsWith(k)) return instead;
  return undefined;
}

/**
 * Refuses a configuration whose value of an option miniflink declares does not parse as the
 * option's type (MF_ERR_INVALID_ARGUMENT, Flink's `Could not parse value ...`); then warns, once
 * per key, about every key that miniflink does not implement (saying what it does instead), that
 * it does not know at all, or whose value it replaces.
 */
export function checkConfiguration(conf: Readonly<ConfigMap>, warn: (m: string) => void): void {
  validateConfiguration(conf);
  for (const [key, value] of Object.entries(conf)) {
    const canonical = DEPRECATED_KEYS.get(key) ?? key;
    const instead = notImplemented(canonical);
    if (instead !== undefined) warn(`Configuration key '${key}' is not implemented by miniflink and has no effect: ${instead}.${canonical.startsWith('security.') ? exposure(conf) : ''}`);
    else if (!IMPLEMENTED.has(canonical) && !REPORTER_KEY.test(canonical) && !LOG4J_KEY.test(canonical)) warn(`Configuration key '${key}' is not one miniflink knows: it has no effect (the job can still read it from its configuration).`);
    else {
      const substitute = SUBSTITUTED_VALUES.get(canonical)?.get(value.trim().toLowerCase());
      if (substitute !== undefined) warn(`Configuration '${key}: ${value}': ${substitute}.`);
    }
  }
}

/** Whether an address is this machine's loopback only. */
function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return a === 'localhost' || a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** What a security key's warning adds when the configuration opens the REST endpoint beyond loopback. */
function exposure(conf: Readonly<ConfigMap>): string {
  const bind = conf['rest.bind-address'] ?? conf['rest.address'];
  return bind !== undefined && !isLoopback(bind) ? ` This configuration binds it to ${bind}, not to loopback only: other machines may reach it.` : '';
}

/**
 * The part of a configuration that travels with a job (Flink's job configuration, which
 * `run -m` sends so that the job runs on a cluster as it runs locally): the keys a job reads
 * (OptionScope 'job') and keys miniflink does not know (the job may read them itself). Not the
 * client's or the cluster's own settings (slots, REST, where `run` submits), nor keys that have
 * no effect anywhere (the client has warned about those).
 */
export function jobConfiguration(conf: Readonly<ConfigMap>): ConfigMap {
  const out: ConfigMap = {};
  for (const [key, value] of Object.entries(conf)) {
    const canonical = DEPRECATED_KEYS.get(key) ?? key;
    const scope = SCOPES.get(canonical) ?? (LOG4J_KEY.test(canonical) ? 'cluster' : undefined);
    if (scope === 'cluster' || (scope === undefined && notImplemented(canonical) !== undefined)) continue;
    out[key] = value;
  }
  return out;
}

/** Keys a client reads itself although they are the cluster's (where to submit). */
const CLIENT_KEYS = new Set(['rest.address', 'rest.port', 'execution.target']);

/**
 * Of the keys a client was given, those that a job submitted to a running cluster cannot take:
 * the cluster's own settings (slots, heartbeats, REST, ...; OptionScope 'cluster'), which
 * jobConfiguration leaves out and the running cluster keeps as it started with. Canonical keys,
 * in the order given, without the keys the client itself reads (rest.address, rest.port,
 * execution.target).
 */
export function clusterOnlyKeys(keys: Iterable<string>): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const canonical = DEPRECATED_KEYS.get(key) ?? key;
    if ((SCOPES.get(canonical) === 'cluster' || LOG4J_KEY.test(canonical)) && !CLIENT_KEYS.has(canonical) && !out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** Keys (canonical and deprecated) whose value is a path (ConfigOption.path). */
const PATH_KEYS = new Set(OPTIONS.filter((o) => o.path === true).flatMap((o) => [o.key, ...(o.deprecatedKeys ?? [])]));

/** Keys (canonical and deprecated) whose value is a list of paths separated by `,` or `;` (local recovery's directories). */
export const PATH_LIST_KEYS: ReadonlySet<string> = new Set(['execution.checkpointing.local-backup.dirs', 'taskmanager.state.local.root-dirs']);

/** The paths of a path list value (PATH_LIST_KEYS), trimmed, without empty ones. */
export function pathList(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * A path made absolute against `cwd`: a plain relative path, or a `file:` URI with a relative
 * path (`file:ckpt`). Absolute paths and URIs with an authority (`file:///x`, `s3://...`) stay.
 */
export function absolutePath(text: string, cwd: string = process.cwd()): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)) return text;
  if (text.startsWith('file:')) {
    const rest = text.slice('file:'.length);
    return isAbsolute(rest) ? text : `file:${resolve(cwd, rest)}`;
  }
  return isAbsolute(text) ? text : resolve(cwd, text);
}

/**
 * A configuration whose path values (execution.checkpointing.dir, .savepoint-dir,
 * execution.state-recovery.path, local-backup.dirs and their deprecated keys) are absolute against `cwd`: what a
 * client sends to a cluster, whose own working directory is another, so that a relative path
 * means what it means with `-t local`.
 */
export function absolutePaths(conf: Readonly<ConfigMap>, cwd: string = process.cwd()): ConfigMap {
  const out: ConfigMap = {};
  for (const [key, value] of Object.entries(conf)) {
    if (PATH_LIST_KEYS.has(key)) out[key] = pathList(value).map((p) => absolutePath(p, cwd)).join(',');
    else out[key] = PATH_KEYS.has(key) && value.trim() !== '' ? absolutePath(value.trim(), cwd) : value;
  }
  return out;
}
