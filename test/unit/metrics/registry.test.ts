/**
 * The metric registry (src/metrics/registry.ts, Flink's MetricRegistryImpl with its
 * MetricQueryService and ViewUpdater): dumps as REST reads them (names with the user group path,
 * histograms as their statistics, meters as rates, gauges without a value left out), one metric
 * object in two groups, View updates, reporters (added and removed metrics, addReporter replaying
 * what exists, failures isolated) and close().
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DescriptiveStatisticsHistogram,
  dumpMetric,
  jobManagerGroup,
  MeterView,
  MetricRegistry,
  operatorGroup,
  SimpleCounter,
  taskGroup,
  taskManagerGroup,
  TimerGauge,
  type Metric,
  type MetricDump,
  type MetricGroup,
  type MetricReporter,
  type QueryScope,
  type TaskScopeInfo,
} from '../../../src/metrics/index.js';

const JOB_ID = 'a'.repeat(32);
const VERTEX_ID = 'b'.repeat(32);
const TASK: TaskScopeInfo = { host: 'h1', tmId: 'tm-7', jobId: JOB_ID, jobName: 'My Job', vertexId: VERTEX_ID, taskName: 'Source -> Map', subtaskIndex: 0, attempt: 0 };
const TASK_SCOPE: QueryScope = { kind: 'task', jobId: JOB_ID, vertexId: VERTEX_ID, subtask: 0, attempt: 0 };

/** Registries a test made, closed after it (their View timers are unref'd, but tidy up anyway). */
const made: MetricRegistry[] = [];
function registry(conf: Record<string, string> = {}, reporters: MetricReporter[] = []): MetricRegistry {
  const r = new MetricRegistry(conf, reporters);
  made.push(r);
  return r;
}
afterEach(() => {
  for (const r of made.splice(0)) r.close();
});

/** Dumped values by name. */
function byName(dumps: readonly MetricDump[]): Record<string, string> {
  return Object.fromEntries(dumps.map((d) => [d.name, d.value]));
}

/** A reporter that records what it hears. */
class RecordingReporter implements MetricReporter {
  readonly events: Array<[op: 'added' | 'removed', name: string, metric: Metric, group: MetricGroup]> = [];
  closed = 0;
  notifyOfAddedMetric(metric: Metric, name: string, group: MetricGroup): void {
    this.events.push(['added', name, metric, group]);
  }
  notifyOfRemovedMetric(metric: Metric, name: string, group: MetricGroup): void {
    this.events.push(['removed', name, metric, group]);
  }
  close(): void {
    this.closed++;
  }
  names(): string[] {
    return this.events.map(([op, name]) => `${op}:${name}`);
  }
}

/** A reporter whose every call fails. */
const failing: MetricReporter = {
  notifyOfAddedMetric: () => {
    throw new Error('added');
  },
  notifyOfRemovedMetric: () => {
    throw new Error('removed');
  },
  close: () => {
    throw new Error('close');
  },
};

describe('metric registry - dump', () => {
  it('metric registry - dumps each metric with its group\'s query scope and its name', () => {
    const r = registry();
    const t = taskGroup(r, TASK);
    t.counter('numRecordsIn').inc(5);
    jobManagerGroup(r, 'h1').gauge('numRunningJobs', { getValue: () => 2 });
    taskManagerGroup(r, 'h1', 'tm-7').gauge('Status.JVM.CPU.Load', { getValue: () => 0.25 });
    expect(r.dump()).toEqual([
      { scope: TASK_SCOPE, name: 'numRecordsIn', value: '5' },
      { scope: { kind: 'jm' }, name: 'numRunningJobs', value: '2' },
      { scope: { kind: 'tm', tmId: 'tm-7' }, name: 'Status.JVM.CPU.Load', value: '0.25' },
    ]);
  });

  it('metric registry - a metric in user groups is named by the user group path and its name', () => {
    const r = registry();
    const op = operatorGroup(r, TASK, 'c'.repeat(32), 'Map');
    op.counter('own').inc();
    op.addGroup('mine').counter('seen').inc(2);
    op.addGroup('mine').addGroup('deeper').counter('n').inc(3);
    op.addGroup('region', 'eu').counter('hits').inc(4);
    const dumps = r.dump();
    expect(byName(dumps)).toEqual({ own: '1', 'mine.seen': '2', 'mine.deeper.n': '3', 'region.eu.hits': '4' });
    // The user groups keep the operator's query scope.
    expect(new Set(dumps.map((d) => JSON.stringify(d.scope)))).toEqual(new Set([JSON.stringify({ ...TASK_SCOPE, kind: 'operator', operator: 'Map', operatorId: 'c'.repeat(32) })]));
  });

  it('metric registry - a metric under key-value groups also has its logical name and labels, as Flink\'s GenericValueMetricGroup (value out of the name, a variable <key>)', () => {
    const r = registry();
    const op = operatorGroup(r, TASK, 'c'.repeat(32), 'Map');
    op.addGroup('mine').counter('seen').inc();
    op.addGroup('region', 'eu').addGroup('inner').addGroup('tier', 2).counter('hits').inc(4);
    const h = op.addGroup('region', 'us').histogram('lat', new DescriptiveStatisticsHistogram(10));
    h.update(3);
    const dumps = r.dump();
    expect(dumps.find((d) => d.name === 'mine.seen')?.labelled).toBeUndefined();
    expect(dumps.find((d) => d.name === 'region.eu.inner.tier.2.hits')?.labelled).toEqual({ name: 'region.inner.tier.hits', labels: { region: 'eu', tier: '2' } });
    expect(dumps.find((d) => d.name === 'region.us.lat_max')?.labelled).toEqual({ name: 'region.lat_max', labels: { region: 'us' } });
    expect(op.addGroup('region', 'eu').getAllVariables()['<region>']).toBe('eu');
    // The parents' variables win (Flink's getAllVariables): a system one, and an outer key.
    expect(op.addGroup('subtask_index', 'x').getAllVariables()['<subtask_index>']).toBe(String(TASK.subtaskIndex));
    const twice = op.addGroup('k', 'outer').addGroup('k', 'inner');
    expect(twice.getAllVariables()['<k>']).toBe('outer');
    twice.counter('c').inc();
    expect(r.dump().find((d) => d.name === 'k.outer.k.inner.c')?.labelled).toEqual({ name: 'k.k.c', labels: { k: 'outer' } });
  });

  it('metric registry - a histogram is dumped as _count and Flink\'s statistics, in order', () => {
    const r = registry();
    const h = taskGroup(r, TASK).histogram('latency', new DescriptiveStatisticsHistogram(500));
    for (let i = 1; i <= 100; i++) h.update(i);
    const dumps = r.dump();
    expect(dumps.map((d) => d.name)).toEqual([
      'latency_count',
      'latency_min',
      'latency_max',
      'latency_mean',
      'latency_median',
      'latency_stddev',
      'latency_p75',
      'latency_p90',
      'latency_p95',
      'latency_p98',
      'latency_p99',
      'latency_p999',
    ]);
    const v = byName(dumps);
    expect(v['latency_count']).toBe('100');
    expect(v['latency_min']).toBe('1');
    expect(v['latency_max']).toBe('100');
    expect(v['latency_mean']).toBe('50.5');
    expect(v['latency_median']).toBe('50.5');
    expect(Number(v['latency_stddev'])).toBeCloseTo(29.011491975882016, 10);
    expect(Number(v['latency_p75'])).toBeCloseTo(75.75, 10);
    expect(Number(v['latency_p90'])).toBeCloseTo(90.9, 10);
    expect(Number(v['latency_p95'])).toBeCloseTo(95.95, 10);
    expect(Number(v['latency_p98'])).toBeCloseTo(98.98, 10);
    expect(Number(v['latency_p99'])).toBeCloseTo(99.99, 10);
    expect(v['latency_p999']).toBe('100');
    expect(dumps.every((d) => d.scope === dumps[0]!.scope)).toBe(true);
  });

  it('metric registry - a meter is dumped as its rate, which moves when Views are updated', () => {
    const r = registry();
    const m = taskGroup(r, TASK).meter('numRecordsInPerSecond', new MeterView(new SimpleCounter()));
    m.markEvent(120);
    expect(byName(r.dump())['numRecordsInPerSecond']).toBe('0');
    r.updateViews();
    expect(byName(r.dump())['numRecordsInPerSecond']).toBe('2'); // 120 / 60
  });

  it('metric registry - gauges: strings, numbers and booleans as text, objects as JSON; null, undefined and throwing ones left out', () => {
    const r = registry();
    const g = taskGroup(r, TASK);
    g.gauge('text', { getValue: () => 'RUNNING' });
    g.gauge('num', { getValue: () => 1.5 });
    g.gauge('bool', { getValue: () => true });
    g.gauge('obj', { getValue: () => ({ a: [1, 2] }) });
    g.gauge('nothing', { getValue: () => null });
    g.gauge('undef', { getValue: () => undefined });
    g.gauge('broken', {
      getValue: () => {
        throw new Error('boom');
      },
    });
    g.counter('after').inc();
    expect(byName(r.dump())).toEqual({ text: 'RUNNING', num: '1.5', bool: 'true', obj: '{"a":[1,2]}', after: '1' });
  });

  it('metric registry - dump(filter) keeps only groups whose query scope passes', () => {
    const r = registry();
    taskGroup(r, TASK).counter('t').inc();
    taskGroup(r, { ...TASK, subtaskIndex: 1 }).counter('other').inc();
    jobManagerGroup(r, 'h1').counter('jm').inc();
    expect(r.dump((s) => s.kind === 'task' && s.subtask === 0).map((d) => d.name)).toEqual(['t']);
    expect(r.dump((s) => s.kind === 'jm').map((d) => d.name)).toEqual(['jm']);
    expect(r.dump(() => false)).toEqual([]);
  });

  it('metric registry - a closed group\'s metrics are no longer dumped', () => {
    const r = registry();
    const t = taskGroup(r, TASK);
    t.counter('gone');
    t.addGroup('u').counter('gone too');
    jobManagerGroup(r, 'h1').counter('stays');
    t.close();
    expect(r.dump().map((d) => d.name)).toEqual(['stays']);
    expect(r.entries().map((e) => e.name)).toEqual(['stays']);
  });

  it('metric registry - dumpMetric appends nothing for something that is not a metric', () => {
    const out: MetricDump[] = [];
    dumpMetric(out, {} as never, 'x', { kind: 'jm' });
    expect(out).toEqual([]);
    dumpMetric(out, new SimpleCounter(), 'c', { kind: 'jm' });
    expect(out).toEqual([{ scope: { kind: 'jm' }, name: 'c', value: '0' }]);
  });

  it('metric registry - REST names filtered as Flink\'s MetricQueryService: " ", ".", ":" and "," become "_"', () => {
    const r = registry();
    const op = operatorGroup(r, TASK, 'c'.repeat(32), 'Source: numbers');
    op.counter('my metric').inc();
    op.addGroup('a.b').counter('x,y').inc();
    op.addGroup('k:1', 'v 2').counter('n').inc();
    const dumps = r.dump();
    // Metric names and user group names (QueryScopeInfo.copy(filter.filterCharacters(name))) ...
    expect(dumps.map((d) => d.name)).toEqual(['my_metric', 'a_b.x_y', 'k_1.v_2.n']);
    // ... and the operator name of the query scope (OperatorQueryScopeInfo), as the web UI shows
    // `Source__numbers.numRecordsOut`.
    expect(dumps.map((d) => (d.scope.kind === 'operator' ? d.scope.operator : undefined))).toEqual(['Source__numbers', 'Source__numbers', 'Source__numbers']);
  });
});

describe('metric registry - one metric in two groups', () => {
  it('metric registry - the same metric object registered in two groups is dumped in both', () => {
    const r = registry();
    const op = operatorGroup(r, TASK, 'c'.repeat(32), 'Map');
    const t = taskGroup(r, TASK);
    const shared = op.counter('numRecordsIn');
    t.counter('numRecordsIn', shared);
    shared.inc(9);
    const dumps = r.dump();
    expect(dumps).toHaveLength(2);
    expect(dumps.map((d) => [d.scope.kind, d.name, d.value])).toEqual([
      ['operator', 'numRecordsIn', '9'],
      ['task', 'numRecordsIn', '9'],
    ]);
  });

  it('metric registry - removing it from one group keeps it in the other', () => {
    const r = registry();
    const op = operatorGroup(r, TASK, 'c'.repeat(32), 'Map');
    const t = taskGroup(r, TASK);
    const shared = t.counter('numRecordsIn', op.counter('numRecordsIn'));
    shared.inc(3);
    op.close();
    expect(r.dump()).toEqual([{ scope: TASK_SCOPE, name: 'numRecordsIn', value: '3' }]);
    t.close();
    expect(r.dump()).toEqual([]);
  });

  it('metric registry - a View in two groups is updated once per update, and still after one group closes', () => {
    const r = registry();
    const counter = new SimpleCounter();
    const meter = new MeterView(counter, 5);
    const op = operatorGroup(r, TASK, 'c'.repeat(32), 'Map');
    const t = taskGroup(r, TASK);
    op.meter('rate', meter);
    t.meter('rate', meter);
    counter.inc(10);
    r.updateViews();
    // Updated twice, the rate would be (10 - 10) / 5 = 0.
    expect(meter.getRate()).toBe(2);
    op.close();
    counter.inc(10);
    r.updateViews();
    expect(meter.getRate()).toBe(2);
    t.close();
    counter.inc(50);
    r.updateViews();
    expect(meter.getRate()).toBe(2); // no longer updated
  });
});

describe('metric registry - Views', () => {
  it('metric registry - updateViews updates MeterViews and TimerGauges, never histograms', () => {
    const r = registry();
    const g = taskGroup(r, TASK);
    let now = 1_000;
    const timer = g.gauge('busy', new TimerGauge(() => now));
    const meter = g.meter('rate', new MeterView(new SimpleCounter(), 5));
    const hist = g.histogram('h', new DescriptiveStatisticsHistogram(10));
    timer.markStart();
    now += 2_500;
    timer.markEnd();
    now += 2_500;
    meter.markEvent(25);
    r.updateViews();
    expect(timer.getValue()).toBe(500);
    expect(meter.getRate()).toBe(5);
    expect(hist.getCount()).toBe(0);
    expect(byName(r.dump())['busy']).toBe('500');
  });
});

describe('metric registry - reporters', () => {
  it('metric registry - reporters hear of added metrics and, when a group closes, of removed ones', () => {
    const rep = new RecordingReporter();
    const r = registry({}, [rep]);
    const t = taskGroup(r, TASK);
    const c = t.counter('c');
    const sub = t.addGroup('u');
    const g = sub.gauge('g', { getValue: () => 1 });
    expect(rep.events).toEqual([
      ['added', 'c', c, t],
      ['added', 'g', g, sub],
    ]);
    t.close();
    expect(rep.names().slice(2).sort()).toEqual(['removed:c', 'removed:g']);
    expect(rep.events.find(([op, name]) => op === 'removed' && name === 'g')![3]).toBe(sub);
  });

  it('metric registry - a failing reporter fails neither the registration nor the other reporters', () => {
    const rep = new RecordingReporter();
    // Not closed after the test: closing `failing` throws (see the close() tests below).
    const r = new MetricRegistry({}, [failing, rep]);
    const t = taskGroup(r, TASK);
    expect(() => t.counter('c').inc()).not.toThrow();
    expect(r.dump().map((d) => d.name)).toEqual(['c']);
    expect(() => t.close()).not.toThrow();
    expect(rep.names()).toEqual(['added:c', 'removed:c']);
  });

  it('metric registry - addReporter replays every metric registered so far, then reports new ones', () => {
    const r = registry();
    const t = taskGroup(r, TASK);
    const a = t.counter('a');
    const b = t.addGroup('u').counter('b');
    const rep = new RecordingReporter();
    r.addReporter(rep);
    expect(rep.events.map(([op, name, m]) => [op, name, m])).toEqual([
      ['added', 'a', a],
      ['added', 'b', b],
    ]);
    t.counter('c');
    expect(rep.names()).toEqual(['added:a', 'added:b', 'added:c']);
    // A removed metric is not replayed to a later reporter.
    t.close();
    const late = new RecordingReporter();
    r.addReporter(late);
    expect(late.names()).toEqual([]);
  });

  it('metric registry - close() closes the reporters', () => {
    const a = new RecordingReporter();
    const b = new RecordingReporter();
    const r = new MetricRegistry({}, [a]);
    r.addReporter(b);
    r.close();
    expect(a.closed).toBe(1);
    expect(b.closed).toBe(1);
  });

  it('metric registry - close() closes every reporter even when one fails to close (Flink catches each)', () => {
    const after = new RecordingReporter();
    const r = new MetricRegistry({}, [failing, after]);
    expect(() => r.close()).not.toThrow();
    expect(after.closed).toBe(1);
  });

  it('metric registry - close() twice closes the reporters once (Flink: isShutdown)', () => {
    const rep = new RecordingReporter();
    const r = new MetricRegistry({}, [rep]);
    r.close();
    r.close();
    expect(rep.closed).toBe(1);
  });

  it('metric registry - after close, reporters hear of no more metrics (Flink: "Cannot register metric ... shut down")', () => {
    const rep = new RecordingReporter();
    const r = new MetricRegistry({}, [rep]);
    r.close();
    taskGroup(r, TASK).meter('rate', new MeterView(new SimpleCounter()));
    expect(rep.names()).toEqual([]);
    r.close(); // stops a View timer a registration after close may have started
  });
});
