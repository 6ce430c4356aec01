/**
 * The metric store REST reads (src/metrics/metric-store.ts, Flink's MetricStore): dumps of the
 * JobManager, TaskManagers, jobs, tasks and operators kept by where they belong; operator metrics
 * as `<operator>.<name>`; a newer attempt of a subtask replacing an older one's metrics and an
 * older attempt's dump ignored; retainJobs.
 */
import { describe, expect, it } from 'vitest';
import { MetricRegistry, MetricStore, operatorGroup, taskGroup, type MetricDump, type QueryScope } from '../../../src/metrics/index.js';

const J1 = '1'.repeat(32);
const J2 = '2'.repeat(32);
const V1 = 'a'.repeat(32);
const V2 = 'b'.repeat(32);

function task(subtask: number, attempt: number, jobId = J1, vertexId = V1): QueryScope {
  return { kind: 'task', jobId, vertexId, subtask, attempt };
}
function op(operator: string, subtask: number, attempt: number, jobId = J1, vertexId = V1): QueryScope {
  return { kind: 'operator', jobId, vertexId, subtask, attempt, operator };
}
function d(scope: QueryScope, name: string, value: string): MetricDump {
  return { scope, name, value };
}
function obj(m: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(m);
}

describe('metric store', () => {
  it('metric store - JobManager, TaskManager and job metrics, each in its own place', () => {
    const s = new MetricStore();
    s.add([
      d({ kind: 'jm' }, 'numRunningJobs', '1'),
      d({ kind: 'tm', tmId: 'tm-1' }, 'Status.JVM.CPU.Load', '0.5'),
      d({ kind: 'tm', tmId: 'tm-2' }, 'Status.JVM.CPU.Load', '0.25'),
      d({ kind: 'job', jobId: J1 }, 'numRestarts', '0'),
    ]);
    expect(obj(s.jobManagerMetrics())).toEqual({ numRunningJobs: '1' });
    expect(s.jobManagerMetrics()).toBe(s.jobManager);
    expect(obj(s.taskManagerMetrics('tm-1'))).toEqual({ 'Status.JVM.CPU.Load': '0.5' });
    expect(obj(s.taskManagerMetrics('tm-2'))).toEqual({ 'Status.JVM.CPU.Load': '0.25' });
    expect(s.taskManagerIds().sort()).toEqual(['tm-1', 'tm-2']);
    expect(obj(s.jobMetrics(J1))).toEqual({ numRestarts: '0' });
    expect(s.jobIds()).toEqual([J1]);
  });

  it('metric store - a later dump overwrites a value and keeps the others', () => {
    const s = new MetricStore();
    s.add([d({ kind: 'jm' }, 'a', '1'), d({ kind: 'jm' }, 'b', '2')]);
    s.add([d({ kind: 'jm' }, 'a', '5')]);
    expect(obj(s.jobManagerMetrics())).toEqual({ a: '5', b: '2' });
  });

  it('metric store - task metrics by name, operator metrics as <operator>.<name>, per subtask', () => {
    const s = new MetricStore();
    s.add([
      d(task(0, 0), 'numRecordsIn', '10'),
      d(op('Map', 0, 0), 'numRecordsIn', '10'),
      d(op('Map', 0, 0), 'mine.seen', '7'),
      d(op('Sink: out', 0, 0), 'numRecordsOut', '3'),
      d(task(1, 0), 'numRecordsIn', '20'),
      d(task(0, 0, J1, V2), 'numRecordsIn', '99'),
    ]);
    expect(obj(s.subtaskMetrics(J1, V1, 0))).toEqual({ numRecordsIn: '10', 'Map.numRecordsIn': '10', 'Map.mine.seen': '7', 'Sink: out.numRecordsOut': '3' });
    expect(obj(s.subtaskMetrics(J1, V1, 1))).toEqual({ numRecordsIn: '20' });
    expect(obj(s.subtaskMetrics(J1, V2, 0))).toEqual({ numRecordsIn: '99' });
    const v = s.vertexMetrics(J1, V1);
    expect([...v.keys()].sort()).toEqual([0, 1]);
    expect(v.get(0)!.attempt).toBe(0);
    // Task metrics create the job's entry, without job metrics.
    expect(s.jobIds()).toEqual([J1]);
    expect(obj(s.jobMetrics(J1))).toEqual({});
  });

  it('metric store - unknown TaskManagers, jobs, vertices and subtasks read as empty', () => {
    const s = new MetricStore();
    s.add([d(task(0, 0), 'x', '1')]);
    expect(s.taskManagerMetrics('nope').size).toBe(0);
    expect(s.jobMetrics(J2).size).toBe(0);
    expect(s.vertexMetrics(J2, V1).size).toBe(0);
    expect(s.vertexMetrics(J1, V2).size).toBe(0);
    expect(s.subtaskMetrics(J1, V1, 5).size).toBe(0);
    expect(s.subtaskMetrics(J2, V1, 0).size).toBe(0);
    // Reading does not create entries.
    expect(s.taskManagerIds()).toEqual([]);
    expect(s.jobIds()).toEqual([J1]);
  });

  it('metric store - a newer attempt of a subtask replaces everything the older one reported', () => {
    const s = new MetricStore();
    s.add([d(task(0, 0), 'numRecordsIn', '100'), d(task(0, 0), 'onlyOld', '1'), d(op('Map', 0, 0), 'numRecordsOut', '100')]);
    s.add([d(task(0, 1), 'numRecordsIn', '5')]);
    expect(s.vertexMetrics(J1, V1).get(0)!.attempt).toBe(1);
    expect(obj(s.subtaskMetrics(J1, V1, 0))).toEqual({ numRecordsIn: '5' });
    // The newer attempt's operator metrics go to the same fresh entry.
    s.add([d(op('Map', 0, 1), 'numRecordsOut', '4')]);
    expect(obj(s.subtaskMetrics(J1, V1, 0))).toEqual({ numRecordsIn: '5', 'Map.numRecordsOut': '4' });
  });

  it('metric store - an older attempt\'s dump is ignored once a newer attempt reported', () => {
    const s = new MetricStore();
    s.add([d(task(0, 2), 'numRecordsIn', '7')]);
    s.add([d(task(0, 1), 'numRecordsIn', '1000'), d(op('Map', 0, 1), 'late', '1'), d(task(0, 0), 'older', '1')]);
    expect(s.vertexMetrics(J1, V1).get(0)!.attempt).toBe(2);
    expect(obj(s.subtaskMetrics(J1, V1, 0))).toEqual({ numRecordsIn: '7' });
  });

  it('metric store - attempts are per subtask: a new attempt of one subtask leaves the others alone', () => {
    const s = new MetricStore();
    s.add([d(task(0, 0), 'n', '1'), d(task(1, 0), 'n', '2')]);
    s.add([d(task(1, 1), 'n', '3')]);
    expect(obj(s.subtaskMetrics(J1, V1, 0))).toEqual({ n: '1' });
    expect(obj(s.subtaskMetrics(J1, V1, 1))).toEqual({ n: '3' });
    expect(s.vertexMetrics(J1, V1).get(0)!.attempt).toBe(0);
  });

  it('metric store - a subtask\'s last values stay after its task ends (no further dumps)', () => {
    const s = new MetricStore();
    s.add([d(task(0, 0), 'numRecordsIn', '42')]);
    s.add([]);
    s.add([d({ kind: 'jm' }, 'x', '1')]);
    expect(obj(s.subtaskMetrics(J1, V1, 0))).toEqual({ numRecordsIn: '42' });
  });

  it('metric store - retainJobs forgets every job not named, with its tasks; JobManager and TaskManagers stay', () => {
    const s = new MetricStore();
    s.add([
      d({ kind: 'jm' }, 'a', '1'),
      d({ kind: 'tm', tmId: 'tm-1' }, 'b', '2'),
      d({ kind: 'job', jobId: J1 }, 'numRestarts', '0'),
      d(task(0, 0, J1), 'n', '1'),
      d({ kind: 'job', jobId: J2 }, 'numRestarts', '3'),
      d(task(0, 0, J2), 'n', '2'),
    ]);
    s.retainJobs(new Set([J2]));
    expect(s.jobIds()).toEqual([J2]);
    expect(s.jobMetrics(J1).size).toBe(0);
    expect(s.subtaskMetrics(J1, V1, 0).size).toBe(0);
    expect(obj(s.subtaskMetrics(J2, V1, 0))).toEqual({ n: '2' });
    expect(obj(s.jobManagerMetrics())).toEqual({ a: '1' });
    expect(obj(s.taskManagerMetrics('tm-1'))).toEqual({ b: '2' });
    s.retainJobs(new Set());
    expect(s.jobIds()).toEqual([]);
  });

  it('metric store - a registry\'s dump goes where REST reads it', () => {
    const r = new MetricRegistry();
    const info = { host: 'h', tmId: 'tm-1', jobId: J1, jobName: 'j', vertexId: V1, taskName: 'Map', subtaskIndex: 2, attempt: 0 };
    const t = taskGroup(r, info);
    const o = operatorGroup(r, info, 'c'.repeat(32), 'Map');
    const shared = t.counter('numRecordsIn', o.counter('numRecordsIn'));
    shared.inc(8);
    o.addGroup('mine').counter('seen').inc(3);
    const s = new MetricStore();
    s.add(r.dump());
    expect(obj(s.subtaskMetrics(J1, V1, 2))).toEqual({ numRecordsIn: '8', 'Map.numRecordsIn': '8', 'Map.mine.seen': '3' });
    r.close();
  });
});

describe('metric store - operators by id', () => {
  it('metric store - two chained operators of one name: REST joins them as `<name>.<metric>`, the reporters keep each by its id', () => {
    const s = new MetricStore();
    const x = (id: string): QueryScope => ({ kind: 'operator', jobId: J1, vertexId: V1, subtask: 0, attempt: 0, operator: 'X', operatorId: id });
    s.add([d(x('1'.repeat(32)), 'numRecordsIn', '100'), d(x('2'.repeat(32)), 'numRecordsIn', '200')]);
    const sub = s.vertexMetrics(J1, V1).get(0)!;
    expect(obj(sub.metrics)).toEqual({ 'X.numRecordsIn': '200' });
    expect([...sub.operators].map(([id, o]) => [id, o.name, obj(o.metrics)])).toEqual([
      ['1'.repeat(32), 'X', { numRecordsIn: '100' }],
      ['2'.repeat(32), 'X', { numRecordsIn: '200' }],
    ]);
  });
});
