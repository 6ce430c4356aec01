/**
 * Flink's scope formats (src/metrics/scope.ts): the metrics.scope.* keys with Flink's defaults,
 * custom formats, the delimiter, a variable the group does not have, and (as Flink's ScopeFormat)
 * a leading `*` that inherits the parent component's format and variables that are whole
 * components.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE_FORMATS, SCOPE_FORMAT_KEYS, scopeFormats } from '../../../src/metrics/index.js';

const TM_VARS = { '<host>': 'h1', '<tm_id>': 'tm-7' };
const JOB_VARS = { '<host>': 'h1', '<job_id>': 'a'.repeat(32), '<job_name>': 'My Job' };
const TASK_VARS = {
  ...TM_VARS,
  '<job_id>': 'a'.repeat(32),
  '<job_name>': 'My Job',
  '<task_id>': 'b'.repeat(32),
  '<task_name>': 'Source: numbers -> Map',
  '<subtask_index>': '3',
  '<task_attempt_num>': '1',
};
const OP_VARS = { ...TASK_VARS, '<operator_id>': 'c'.repeat(32), '<operator_name>': 'Map' };

describe('scope formats', () => {
  it('scope formats - the six metrics.scope.* keys with Flink\'s defaults', () => {
    expect(Object.fromEntries(SCOPE_FORMAT_KEYS.map((k) => [k.key, k.fallback]))).toEqual({
      'metrics.scope.jm': '<host>.jobmanager',
      'metrics.scope.jm-job': '<host>.jobmanager.<job_name>',
      'metrics.scope.tm': '<host>.taskmanager.<tm_id>',
      'metrics.scope.tm-job': '<host>.taskmanager.<tm_id>.<job_name>',
      'metrics.scope.task': '<host>.taskmanager.<tm_id>.<job_name>.<task_name>.<subtask_index>',
      'metrics.scope.operator': '<host>.taskmanager.<tm_id>.<job_name>.<operator_name>.<subtask_index>',
    });
  });

  it('scope formats - the defaults applied to each component\'s variables', () => {
    const f = DEFAULT_SCOPE_FORMATS;
    expect(f.delimiter).toBe('.');
    expect(f.jm({ '<host>': 'h1' })).toEqual(['h1', 'jobmanager']);
    expect(f.jmJob(JOB_VARS)).toEqual(['h1', 'jobmanager', 'My Job']);
    expect(f.tm(TM_VARS)).toEqual(['h1', 'taskmanager', 'tm-7']);
    expect(f.tmJob({ ...TM_VARS, '<job_name>': 'My Job' })).toEqual(['h1', 'taskmanager', 'tm-7', 'My Job']);
    expect(f.task(TASK_VARS)).toEqual(['h1', 'taskmanager', 'tm-7', 'My Job', 'Source: numbers -> Map', '3']);
    expect(f.operator(OP_VARS)).toEqual(['h1', 'taskmanager', 'tm-7', 'My Job', 'Map', '3']);
  });

  it('scope formats - scopeFormats() without a configuration is Flink\'s defaults', () => {
    const f = scopeFormats();
    expect(f.delimiter).toBe('.');
    expect(f.operator(OP_VARS)).toEqual(DEFAULT_SCOPE_FORMATS.operator(OP_VARS));
    expect(scopeFormats({ unrelated: 'x' }).task(TASK_VARS)).toEqual(DEFAULT_SCOPE_FORMATS.task(TASK_VARS));
  });

  it('scope formats - custom formats from metrics.scope.* replace the defaults, each on its own', () => {
    const f = scopeFormats({
      'metrics.scope.operator': 'ops.<job_id>.<operator_id>.<task_attempt_num>',
      'metrics.scope.tm': 'cluster.<tm_id>',
      'metrics.scope.jm': 'jm',
    });
    expect(f.operator(OP_VARS)).toEqual(['ops', 'a'.repeat(32), 'c'.repeat(32), '1']);
    expect(f.tm(TM_VARS)).toEqual(['cluster', 'tm-7']);
    expect(f.jm({ '<host>': 'h1' })).toEqual(['jm']);
    // Untouched keys keep their defaults.
    expect(f.task(TASK_VARS)).toEqual(DEFAULT_SCOPE_FORMATS.task(TASK_VARS));
    expect(f.jmJob(JOB_VARS)).toEqual(['h1', 'jobmanager', 'My Job']);
  });

  it('scope formats - a variable the component does not know stays as written', () => {
    const f = scopeFormats({ 'metrics.scope.tm': '<host>.<job_name>.<tm_id>' });
    expect(f.tm(TM_VARS)).toEqual(['h1', '<job_name>', 'tm-7']);
  });

  it('scope formats - metrics.scope.delimiter sets the delimiter (the format itself is still split on ".")', () => {
    const f = scopeFormats({ 'metrics.scope.delimiter': '_', 'metrics.scope.tm': '<host>.tms.<tm_id>' });
    expect(f.delimiter).toBe('_');
    expect(f.tm(TM_VARS)).toEqual(['h1', 'tms', 'tm-7']);
  });

  it('scope formats - a leading "*" inherits the parent component\'s format (Flink ScopeFormat.SCOPE_INHERIT_PARENT)', () => {
    // Parents as Flink's ScopeFormats: jm <- jm-job; tm <- tm-job <- task <- operator.
    const f = scopeFormats({
      'metrics.scope.tm': '<host>.tms.<tm_id>',
      'metrics.scope.tm-job': '*.<job_name>',
      'metrics.scope.task': '*.<task_name>',
      'metrics.scope.operator': '*.<operator_name>',
      'metrics.scope.jm-job': '*.jobs.<job_name>',
    });
    expect(f.tmJob({ ...TM_VARS, '<job_name>': 'My Job' })).toEqual(['h1', 'tms', 'tm-7', 'My Job']);
    expect(f.task(TASK_VARS)).toEqual(['h1', 'tms', 'tm-7', 'My Job', 'Source: numbers -> Map']);
    expect(f.operator(OP_VARS)).toEqual(['h1', 'tms', 'tm-7', 'My Job', 'Source: numbers -> Map', 'Map']);
    expect(f.jmJob(JOB_VARS)).toEqual(['h1', 'jobmanager', 'jobs', 'My Job']);
  });

  it('scope formats - only a whole component is a variable (Flink): "tm-<tm_id>" stays as written', () => {
    const f = scopeFormats({ 'metrics.scope.tm': '<host>.tm-<tm_id>' });
    expect(f.tm(TM_VARS)).toEqual(['h1', 'tm-<tm_id>']);
  });
});
