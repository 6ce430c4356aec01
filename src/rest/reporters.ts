/**
 * Metric reporters configured with Flink's keys, run by the cluster process next to REST:
 *
 *   metrics.reporters: prom, log                       which of the configured reporters run (all when unset)
 *   metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
 *   metrics.reporter.prom.port: 9249                   a port or a range (9250-9260); 0: any free port
 *   metrics.reporter.log.factory.class: org.apache.flink.metrics.slf4j.Slf4jReporterFactory
 *   metrics.reporter.log.interval: 10 s
 *   metrics.reporter.<name>.scope.variables.excludes: job_id;task_attempt_id   labels left out (Prometheus)
 *
 * Both read what REST reads (the metric store, fetched from the slot threads at each scrape or
 * report, and the JobManager's values). Prometheus names follow Flink's PrometheusReporter:
 * `flink_<logical scope>_<name>` with `_` for any character outside [a-zA-Z0-9_:], e.g.
 * `flink_taskmanager_job_task_operator_numRecordsIn`, labelled with the scope's variables
 * (`host`, `tm_id`, `job_id`, `job_name`, `task_id`, `task_name`, `subtask_index`,
 * `task_attempt_num`, `operator_id`, `operator_name`, and the key of every key-value group a user
 * metric is under: `addGroup('region', 'eu').counter('hits')` is
 * `flink_taskmanager_job_task_operator_region_hits{region="eu",...}`); an ended job or task reports nothing (its groups are closed, as Flink closes them).
 */
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { parseDuration } from '../config/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { NO_LOGGING } from '../core/logging.js';
import { filterCharacters, type LabelledName, type MetricValues } from '../metrics/index.js';
import type { JobMaster } from '../runtime/index.js';
import { metricSources } from './metric-sources.js';
import { TERMINAL } from './job-views.js';
import { splitList, type RouteContext } from './route-context.js';

const PROMETHEUS_FACTORY = 'org.apache.flink.metrics.prometheus.PrometheusReporterFactory';
const SLF4J_FACTORY = 'org.apache.flink.metrics.slf4j.Slf4jReporterFactory';
const HOST = 'localhost';

/** One metric value with its logical scope and labels. */
interface Sample {
  readonly scope: string;
  readonly name: string;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The name in the full scope (values of key-value groups included), as the log reporter prints it. */
  readonly fullName: string;
}

/** Running reporters; close() stops them. */
export interface Reporters {
  /** The Prometheus reporters' ports, by reporter name (for a port of 0: the one chosen). */
  readonly prometheusPorts: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** Starts the reporters the configuration names; `out` takes the log reporter's lines. */
export async function startReporters(ctx: Pick<RouteContext, 'cluster' | 'dispatcher' | 'tmMemory' | 'metrics'>, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<Reporters> {
  const conf = ctx.cluster.configuration;
  const names = configuredReporters(conf);
  const servers: Server[] = [];
  const timers: NodeJS.Timeout[] = [];
  const ports = new Map<string, number>();
  const sources = metricSources(ctx);

  /** Every metric of the cluster, with Flink's logical scopes and variables. */
  const collect = async (): Promise<Sample[]> => {
    const store = await ctx.metrics();
    const samples: Sample[] = [];
    // A metric under a key-value group (addGroup(key, value)) is named in its logical scope, the
    // value left out, and labelled key=value (Flink's GenericValueMetricGroup: a variable `<key>`).
    const add = (scope: string, values: MetricValues, labels: Record<string, string>, labelled?: ReadonlyMap<string, LabelledName>) => {
      for (const [name, text] of values) {
        const value = text === 'true' ? 1 : text === 'false' ? 0 : Number(text);
        if (text.trim() === '' || !Number.isFinite(value)) continue;
        const l = labelled?.get(name);
        // The system's labels win over a user's key of the same name, as Flink's variables do.
        samples.push(l ? { scope, name: l.name, value, labels: { ...l.labels, ...labels }, fullName: name } : { scope, name, value, labels, fullName: name });
      }
    };
    add('jobmanager', sources.jobManagerValues(), { host: HOST });
    for (const t of ctx.cluster.mini.taskManagers) add('taskmanager', await sources.taskManagerValues(t, store), { host: HOST, tm_id: t.id });
    for (const j of ctx.dispatcher.listJobs()) {
      const jm = sources.jobOf(j.jobId);
      // An ended job's metric groups are closed (Flink's reporters drop their series); REST keeps its last values.
      if (!jm || TERMINAL.has(jm.status)) continue;
      add('jobmanager_job', sources.jobValues(jm, store.jobMetrics(jm.jobId)), { host: HOST, job_id: jm.jobId, job_name: jm.jobName });
      for (const v of jm.submission.job.vertices) {
        // The store names operator metrics `<operator name as REST filters it>.<name>` beside the task's.
        const prefixes = v.operators.map((o) => `${filterCharacters(o.name)}.`);
        for (const [index, sub] of store.vertexMetrics(jm.jobId, v.id)) {
          if (sub.attempt !== jm.subtaskAttempt(v.id, index)) continue;
          // A subtask that ended closed its groups, as in Flink.
          const state = jm.subtasks.get(`${v.id}/${index}`)?.state;
          if (state === 'FINISHED' || state === 'CANCELED' || state === 'FAILED') continue;
          const labels = taskLabels(ctx, jm, v, index, sub.attempt);
          const task: MetricValues = new Map([...sub.metrics].filter(([name]) => !prefixes.some((p) => name.startsWith(p))));
          add('taskmanager_job_task', task, labels);
          for (const o of v.operators) {
            const op = sub.operators.get(o.operatorId);
            if (op) add('taskmanager_job_task_operator', op.metrics, { ...labels, operator_id: o.operatorId, operator_name: o.name }, op.labelled);
          }
        }
      }
    }
    return samples;
  };

  for (const name of names) {
    const prefix = `metrics.reporter.${name}.`;
    const factory = conf[`${prefix}factory.class`];
    const excludes = new Set(splitList(conf[`${prefix}scope.variables.excludes`] ?? '', /[;,]/));
    if (factory === PROMETHEUS_FACTORY) {
      // As Flink's reporter logs a metric it cannot register (once per name here, not per scrape).
      const warned = new Set<string>();
      const log = (ctx.cluster.mini.options.logs?.jobManager ?? NO_LOGGING)('org.apache.flink.metrics.prometheus.PrometheusReporter');
      const leftOut = (metric: string, labels: readonly string[]) => {
        if (warned.has(metric)) return;
        warned.add(metric);
        log.warn('Metric {} with the labels [{}] is left out: another metric of that name has other labels (Prometheus takes one label set per name).', metric, labels.join(', '));
      };
      const server = createServer((req, res) => {
        if (req.url !== '/' && req.url !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        collect()
          .then((samples) => prometheusText(samples, excludes, leftOut))
          .then((text) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text))
          .catch((e: unknown) => res.writeHead(500).end(String(e)));
      });
      ports.set(name, await listenOnOne(server, conf[`${prefix}port`] ?? '9249', name));
      servers.push(server);
    } else if (factory === SLF4J_FACTORY) {
      const interval = parseDuration(conf[`${prefix}interval`] ?? '10 s', `${prefix}interval`);
      const timer = setInterval(() => {
        collect()
          .then((samples) => {
            // Flink's Slf4jReporter: one block per report, `<identifier>: <value>` per metric.
            out('=========================== Starting metrics report ===========================');
            for (const s of samples) out(`${identifier(s)}: ${s.value}`);
            out('=========================== Finished metrics report ===========================');
          })
          .catch(() => {});
      }, Math.max(100, interval));
      timer.unref();
      timers.push(timer);
    } else {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Metric reporter '${name}' has ${factory === undefined ? 'no metrics.reporter.' + name + '.factory.class' : `an unknown factory class '${factory}'`}: miniflink runs ${PROMETHEUS_FACTORY} and ${SLF4J_FACTORY}.`);
    }
  }
  return {
    prometheusPorts: ports,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** The reporter names to run: `metrics.reporters`, else every `metrics.reporter.<name>.factory.class`. */
export function configuredReporters(conf: Readonly<Record<string, string>>): string[] {
  const listed = conf['metrics.reporters'];
  if (listed !== undefined) return splitList(listed);
  const names = new Set<string>();
  for (const key of Object.keys(conf)) {
    const m = /^metrics\.reporter\.([^.]+)\.factory\.class$/.exec(key);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

/** A task's variables (Flink's TaskMetricGroup), as Prometheus labels. */
function taskLabels(ctx: Pick<RouteContext, 'cluster'>, jm: JobMaster, v: JobMaster['submission']['job']['vertices'][number], index: number, attempt: number): Record<string, string> {
  const sub = jm.subtasks.get(`${v.id}/${index}`);
  const tm = sub ? ctx.cluster.mini.taskManagers.find((t) => t.slots.includes(sub.slot)) : undefined;
  return { host: HOST, tm_id: tm?.id ?? '', job_id: jm.jobId, job_name: jm.jobName, task_id: v.id, task_name: v.name, subtask_index: String(index), task_attempt_num: String(attempt) };
}

/** Flink's PrometheusReporter text: a gauge per metric name, a sample per label set. */
export async function prometheusText(samples: readonly Sample[], excludes: ReadonlySet<string> = new Set(), onLeftOut: (name: string, labelNames: readonly string[]) => void = () => {}): Promise<string> {
  const registry = new Registry();
  const gauges = new Map<string, { gauge: Gauge; labelNames: string[] }>();
  for (const s of samples) {
    const name = prometheusName(`flink_${s.scope}_${s.name}`);
    const labels = Object.fromEntries(Object.entries(s.labels).flatMap(([k, v]) => (excludes.has(k) ? [] : [[prometheusLabelName(k), v]])));
    let g = gauges.get(name);
    if (!g) {
      const labelNames = Object.keys(labels);
      try {
        g = { gauge: new Gauge({ name, help: `${s.name} (scope: ${s.scope})`, labelNames, registers: [registry] }), labelNames };
      } catch {
        continue; // A metric Prometheus cannot take is left out; the scrape goes on.
      }
      gauges.set(name, g);
    }
    // A sample whose labels differ from the gauge's (another scope's metric under the same name, a
    // group `k` and a key-value group `k` with a metric of one name) is left out, and said so.
    if (Object.keys(labels).length !== g.labelNames.length || !g.labelNames.every((l) => l in labels)) {
      onLeftOut(name, Object.keys(labels));
      continue;
    }
    g.gauge.set(labels, s.value);
  }
  return registry.metrics();
}

/**
 * A label's name as Prometheus takes it ([a-zA-Z_][a-zA-Z0-9_]*): the key of a user's key-value
 * group may hold any character (Flink's filter also keeps ':', which Prometheus refuses in labels).
 */
function prometheusLabelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return name === '' || /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Flink's Prometheus name filter: any character outside [a-zA-Z0-9_:] becomes `_`. */
export function prometheusName(text: string): string {
  return text.replace(/[^a-zA-Z0-9_:]/g, '_');
}

/** A metric's identifier as Flink's default scope formats build it, for the log reporter. */
function identifier(s: Sample): string {
  const l = s.labels;
  switch (s.scope) {
    case 'jobmanager':
      return `${l['host']}.jobmanager.${s.fullName}`;
    case 'jobmanager_job':
      return `${l['host']}.jobmanager.${l['job_name']}.${s.fullName}`;
    case 'taskmanager':
      return `${l['host']}.taskmanager.${l['tm_id']}.${s.fullName}`;
    case 'taskmanager_job_task':
      return `${l['host']}.taskmanager.${l['tm_id']}.${l['job_name']}.${l['task_name']}.${l['subtask_index']}.${s.fullName}`;
    default:
      return `${l['host']}.taskmanager.${l['tm_id']}.${l['job_name']}.${l['operator_name']}.${l['subtask_index']}.${s.fullName}`;
  }
}

/** Listens on the first free port of `spec` (a port, or a range `a-b`); resolves with it. */
async function listenOnOne(server: Server, spec: string, name: string): Promise<number> {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
  if (!m) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `metrics.reporter.${name}.port must be a port or a range like 9250-9260, got '${spec}'`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  for (let port = from; port <= to; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      const a = server.address();
      return typeof a === 'object' && a ? a.port : port;
    }
  }
  throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Metric reporter '${name}' could not listen on any port of ${spec}`);
}
