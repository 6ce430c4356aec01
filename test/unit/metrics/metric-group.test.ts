/**
 * Metric groups (src/metrics/metric-group.ts, Flink's AbstractMetricGroup and its component
 * groups): registering counters, gauges, meters and histograms and what each call returns, name
 * collisions, user groups (`addGroup(name)`, `addGroup(key, value)`), scope components, variables,
 * metric identifiers with Flink's default scope formats, query scopes, and close().
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCOPE_FORMATS,
  DescriptiveStatisticsHistogram,
  jobManagerGroup,
  jobManagerJobGroup,
  MeterView,
  MetricGroup,
  MetricRegistry,
  operatorGroup,
  SimpleCounter,
  taskGroup,
  taskManagerGroup,
  TimerGauge,
  type Metric,
  type MetricSink,
  type TaskScopeInfo,
} from '../../../src/metrics/index.js';

const JOB_ID = 'a'.repeat(32);
const VERTEX_ID = 'b'.repeat(32);
const OP_ID = 'c'.repeat(32);

const TASK: TaskScopeInfo = {
  host: 'h1',
  tmId: 'tm-7',
  jobId: JOB_ID,
  jobName: 'My Job',
  vertexId: VERTEX_ID,
  taskName: 'Source -> Map',
  subtaskIndex: 3,
  attempt: 1,
};

/** A sink that records what groups add and remove. */
class RecordingSink implements MetricSink {
  readonly scopeFormats = DEFAULT_SCOPE_FORMATS;
  readonly events: Array<{ op: 'added' | 'removed'; metric: Metric; name: string; group: MetricGroup }> = [];
  added(metric: Metric, name: string, group: MetricGroup): void {
    this.events.push({ op: 'added', metric, name, group });
  }
  removed(metric: Metric, name: string, group: MetricGroup): void {
    this.events.push({ op: 'removed', metric, name, group });
  }
  names(op: 'added' | 'removed'): string[] {
    return this.events.filter((e) => e.op === op).map((e) => e.name);
  }
}

function opGroup(sink: MetricSink | undefined = new RecordingSink()): MetricGroup {
  return operatorGroup(sink, TASK, OP_ID, 'Map');
}

describe('metric group - registration', () => {
  it('metric group - counter(name) registers and returns a new SimpleCounter; counter(name, c) returns c', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    const a = g.counter('a');
    expect(a).toBeInstanceOf(SimpleCounter);
    a.inc(3);
    expect(g.entries().get('a')).toBe(a);
    const mine = new SimpleCounter();
    expect(g.counter('b', mine)).toBe(mine);
    expect(sink.events.map((e) => [e.op, e.name, e.metric])).toEqual([
      ['added', 'a', a],
      ['added', 'b', mine],
    ]);
    expect(sink.events.every((e) => e.group === g)).toBe(true);
  });

  it('metric group - gauge, meter and histogram register and return the very object given', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    const gauge = { getValue: () => 42 };
    const timer = new TimerGauge();
    const meter = new MeterView(new SimpleCounter());
    const hist = new DescriptiveStatisticsHistogram(10);
    expect(g.gauge('g', gauge)).toBe(gauge);
    expect(g.gauge('t', timer)).toBe(timer);
    expect(g.meter('m', meter)).toBe(meter);
    expect(g.histogram('h', hist)).toBe(hist);
    expect([...g.entries().keys()]).toEqual(['g', 't', 'm', 'h']);
    expect(sink.names('added')).toEqual(['g', 't', 'm', 'h']);
  });

  it('metric group - something that is not a metric is refused with a TypeError', () => {
    const g = opGroup();
    expect(() => g.gauge('x', {} as never)).toThrow(TypeError);
    expect(g.entries().has('x')).toBe(false);
  });

  it('metric group - the same name twice: the first metric stays registered, the second is returned but not registered', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    const first = g.counter('n');
    const second = g.counter('n');
    expect(second).not.toBe(first);
    expect(second).toBeInstanceOf(SimpleCounter);
    second.inc(); // still usable
    expect(g.entries().get('n')).toBe(first);
    const gauge = { getValue: () => 1 };
    expect(g.gauge('n', gauge)).toBe(gauge);
    expect(g.entries().get('n')).toBe(first);
    expect(sink.names('added')).toEqual(['n']);
  });

  it('metric group - a metric named like a subgroup is still registered (Flink only warns)', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    g.addGroup('sub').counter('inner');
    const c = g.counter('sub');
    // Flink's AbstractMetricGroup.addMetric: "Name collision: Adding a metric with the same name as
    // a metric subgroup ... Metric might not get properly reported." and registers it anyway.
    expect(g.entries().get('sub')).toBe(c);
    expect(sink.names('added')).toEqual(['inner', 'sub']);
  });

  it('metric group - a subgroup named like a metric is created, and the metric stays', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    const c = g.counter('x');
    const sub = g.addGroup('x');
    sub.counter('y');
    expect(g.entries().get('x')).toBe(c);
    expect(sub.entries().has('y')).toBe(true);
    expect(sink.names('added')).toEqual(['x', 'y']);
  });

  it('metric group - without a sink, groups still hand out working metrics', () => {
    const g = opGroup(undefined);
    const c = g.counter('c');
    c.inc(2);
    expect(c.getCount()).toBe(2);
    expect(g.getMetricIdentifier('c')).toBe('h1.taskmanager.tm-7.My Job.Map.3.c');
  });
});

describe('metric group - user groups', () => {
  it('metric group - addGroup(name) appends a scope component and a user path; the same name gives the same group', () => {
    const g = opGroup();
    const mine = g.addGroup('mine');
    expect(g.addGroup('mine')).toBe(mine);
    expect(mine.getScopeComponents()).toEqual([...g.getScopeComponents(), 'mine']);
    expect(mine.userPath).toEqual(['mine']);
    const deeper = mine.addGroup('deeper');
    expect(deeper.userPath).toEqual(['mine', 'deeper']);
    expect(deeper.getMetricIdentifier('seen')).toBe('h1.taskmanager.tm-7.My Job.Map.3.mine.deeper.seen');
    // A generic group adds no variables, and keeps the system group's query scope.
    expect(deeper.getAllVariables()).toEqual(g.getAllVariables());
    expect(deeper.query).toEqual(g.query);
  });

  it('metric group - addGroup(number) is the group named by the number', () => {
    const g = opGroup();
    const seven = g.addGroup(7);
    expect(g.addGroup('7')).toBe(seven);
    expect(seven.getScopeComponents().at(-1)).toBe('7');
  });

  it('metric group - addGroup(key, value): a key group and a value group below it, with the variable <key>', () => {
    const g = opGroup();
    const v1 = g.addGroup('region', 'eu');
    expect(v1.getScopeComponents()).toEqual([...g.getScopeComponents(), 'region', 'eu']);
    expect(v1.userPath).toEqual(['region', 'eu']);
    expect(v1.getAllVariables()).toEqual({ ...g.getAllVariables(), '<region>': 'eu' });
    expect(v1.getMetricIdentifier('hits')).toBe('h1.taskmanager.tm-7.My Job.Map.3.region.eu.hits');
    // The same key and value again: the same group. Another value: a sibling below the same key group.
    expect(g.addGroup('region', 'eu')).toBe(v1);
    const v2 = g.addGroup('region', 'us');
    expect(v2).not.toBe(v1);
    expect(v2.getAllVariables()['<region>']).toBe('us');
    // The key group is the group addGroup(key) returns; it has no <region> variable itself.
    const key = g.addGroup('region');
    expect(key.getScopeComponents()).toEqual([...g.getScopeComponents(), 'region']);
    expect(key.getAllVariables()['<region>']).toBeUndefined();
    expect(key.addGroup('eu')).toBe(v1);
  });

  it('metric group - addGroup(key, value) with numbers', () => {
    const g = opGroup();
    const v = g.addGroup(1, 2);
    expect(v.getScopeComponents().slice(-2)).toEqual(['1', '2']);
    expect(v.getAllVariables()['<1>']).toBe('2');
  });

  it('metric group - key/value variables of a parent are inherited by groups below', () => {
    const g = opGroup();
    const below = g.addGroup('k', 'v').addGroup('more');
    expect(below.getAllVariables()['<k>']).toBe('v');
    expect(below.getAllVariables()['<operator_name>']).toBe('Map');
  });
});

describe('metric group - scopes, variables and identifiers', () => {
  it('metric group - component groups with Flink\'s default scope formats and "." as the delimiter', () => {
    const sink = new RecordingSink();
    expect(jobManagerGroup(sink, 'h1').getMetricIdentifier('numRunningJobs')).toBe('h1.jobmanager.numRunningJobs');
    expect(jobManagerJobGroup(sink, 'h1', JOB_ID, 'My Job').getMetricIdentifier('numRestarts')).toBe('h1.jobmanager.My Job.numRestarts');
    expect(taskManagerGroup(sink, 'h1', 'tm-7').getMetricIdentifier('Status.JVM.CPU.Load')).toBe('h1.taskmanager.tm-7.Status.JVM.CPU.Load');
    expect(taskGroup(sink, TASK).getMetricIdentifier('numRecordsIn')).toBe('h1.taskmanager.tm-7.My Job.Source -> Map.3.numRecordsIn');
    expect(opGroup(sink).getMetricIdentifier('numRecordsOut')).toBe('h1.taskmanager.tm-7.My Job.Map.3.numRecordsOut');
  });

  it('metric group - getScopeComponents returns the components, as a copy', () => {
    const g = taskGroup(new RecordingSink(), TASK);
    const s = g.getScopeComponents();
    expect(s).toEqual(['h1', 'taskmanager', 'tm-7', 'My Job', 'Source -> Map', '3']);
    s.push('changed');
    expect(g.getScopeComponents()).toHaveLength(6);
  });

  it('metric group - getAllVariables of each component group (Flink\'s variable names)', () => {
    const sink = new RecordingSink();
    expect(jobManagerGroup(sink, 'h1').getAllVariables()).toEqual({ '<host>': 'h1' });
    expect(jobManagerJobGroup(sink, 'h1', JOB_ID, 'My Job').getAllVariables()).toEqual({ '<host>': 'h1', '<job_id>': JOB_ID, '<job_name>': 'My Job' });
    expect(taskManagerGroup(sink, 'h1', 'tm-7').getAllVariables()).toEqual({ '<host>': 'h1', '<tm_id>': 'tm-7' });
    const task = {
      '<host>': 'h1',
      '<tm_id>': 'tm-7',
      '<job_id>': JOB_ID,
      '<job_name>': 'My Job',
      '<task_id>': VERTEX_ID,
      '<task_name>': 'Source -> Map',
      '<subtask_index>': '3',
      '<task_attempt_num>': '1',
    };
    expect(taskGroup(sink, TASK).getAllVariables()).toEqual(task);
    expect(opGroup(sink).getAllVariables()).toEqual({ ...task, '<operator_id>': OP_ID, '<operator_name>': 'Map' });
    // A copy: changing it changes nothing.
    const vars = opGroup(sink).getAllVariables();
    vars['<host>'] = 'other';
    expect(opGroup(sink).getAllVariables()['<host>']).toBe('h1');
  });

  it('metric group - a registry\'s scope formats and delimiter shape the identifiers', () => {
    const registry = new MetricRegistry({
      'metrics.scope.delimiter': '_',
      'metrics.scope.operator': '<job_name>.<operator_name>.<subtask_index>',
      'metrics.scope.tm': 'tms.<tm_id>',
    });
    expect(operatorGroup(registry, TASK, OP_ID, 'Map').getMetricIdentifier('n')).toBe('My Job_Map_3_n');
    expect(operatorGroup(registry, TASK, OP_ID, 'Map').addGroup('k', 'v').getMetricIdentifier('n')).toBe('My Job_Map_3_k_v_n');
    expect(taskManagerGroup(registry, 'h1', 'tm-7').getMetricIdentifier('x')).toBe('tms_tm-7_x');
    // Unconfigured components keep Flink's defaults.
    expect(jobManagerGroup(registry, 'h1').getScopeComponents()).toEqual(['h1', 'jobmanager']);
    registry.close();
  });

  it('metric group - query scopes say where REST finds each group\'s metrics', () => {
    const sink = new RecordingSink();
    expect(jobManagerGroup(sink, 'h1').query).toEqual({ kind: 'jm' });
    expect(taskManagerGroup(sink, 'h1', 'tm-7').query).toEqual({ kind: 'tm', tmId: 'tm-7' });
    expect(jobManagerJobGroup(sink, 'h1', JOB_ID, 'My Job').query).toEqual({ kind: 'job', jobId: JOB_ID });
    expect(taskGroup(sink, TASK).query).toEqual({ kind: 'task', jobId: JOB_ID, vertexId: VERTEX_ID, subtask: 3, attempt: 1 });
    expect(opGroup(sink).query).toEqual({ kind: 'operator', jobId: JOB_ID, vertexId: VERTEX_ID, subtask: 3, attempt: 1, operator: 'Map', operatorId: OP_ID });
    // System groups have no user path.
    expect(opGroup(sink).userPath).toEqual([]);
  });
});

describe('metric group - close', () => {
  it('metric group - close() removes every metric of the group and its subgroups, once', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    const a = g.counter('a');
    const b = g.addGroup('mine').counter('b');
    const c = g.addGroup('k', 'v').counter('c');
    expect(g.isClosed()).toBe(false);
    g.close();
    expect(g.isClosed()).toBe(true);
    expect(g.addGroup('mine').isClosed()).toBe(true);
    expect(g.addGroup('k', 'v').isClosed()).toBe(true);
    const removed = sink.events.filter((e) => e.op === 'removed');
    expect(removed.map((e) => e.name).sort()).toEqual(['a', 'b', 'c']);
    expect(removed.find((e) => e.name === 'a')!.metric).toBe(a);
    expect(removed.find((e) => e.name === 'b')!.metric).toBe(b);
    expect(removed.find((e) => e.name === 'c')!.metric).toBe(c);
    // Removal names the group each metric was registered in.
    expect(removed.find((e) => e.name === 'a')!.group).toBe(g);
    expect(removed.find((e) => e.name === 'b')!.group).toBe(g.addGroup('mine'));
    g.close();
    expect(sink.names('removed')).toHaveLength(3);
  });

  it('metric group - after close, metrics are still handed out but not registered, and new subgroups are closed', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    g.close();
    const c = g.counter('late');
    c.inc();
    expect(c.getCount()).toBe(1);
    const gauge = { getValue: () => 1 };
    expect(g.gauge('lateGauge', gauge)).toBe(gauge);
    const sub = g.addGroup('new');
    expect(sub.isClosed()).toBe(true);
    sub.counter('x');
    expect(g.addGroup('k', 'v').isClosed()).toBe(true);
    expect(sink.names('added')).toEqual([]);
  });

  it('metric group - closing a subgroup removes only its metrics', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    g.counter('keep');
    const sub = g.addGroup('sub');
    sub.counter('drop');
    sub.close();
    expect(sink.names('removed')).toEqual(['drop']);
    expect(g.isClosed()).toBe(false);
    expect(g.entries().has('keep')).toBe(true);
  });

  it('metric group - addGroup(name) after that subgroup was closed gives a new, open group (Flink: prior.isClosed())', () => {
    const sink = new RecordingSink();
    const g = opGroup(sink);
    const old = g.addGroup('sub');
    old.close();
    const fresh = g.addGroup('sub');
    expect(fresh).not.toBe(old);
    expect(fresh.isClosed()).toBe(false);
    fresh.counter('again');
    expect(sink.names('added')).toEqual(['again']);
  });
});
