/**
 * Flink's scope formats (metrics.scope.*): the components of a metric's identifier, such as
 * `<host>.taskmanager.<tm_id>.<job_name>.<operator_name>.<subtask_index>`, with Flink's defaults.
 * A variable missing from a group's variables stays as written; a leading `*` inherits the parent
 * format's components.
 */

/** Flink's default formats and keys. */
const FORMATS = {
  jm: { key: 'metrics.scope.jm', fallback: '<host>.jobmanager' },
  jmJob: { key: 'metrics.scope.jm-job', fallback: '<host>.jobmanager.<job_name>' },
  tm: { key: 'metrics.scope.tm', fallback: '<host>.taskmanager.<tm_id>' },
  tmJob: { key: 'metrics.scope.tm-job', fallback: '<host>.taskmanager.<tm_id>.<job_name>' },
  task: { key: 'metrics.scope.task', fallback: '<host>.taskmanager.<tm_id>.<job_name>.<task_name>.<subtask_index>' },
  operator: { key: 'metrics.scope.operator', fallback: '<host>.taskmanager.<tm_id>.<job_name>.<operator_name>.<subtask_index>' },
} as const;

/** Keys of the scope formats, with their Flink defaults (for the configuration's option table). */
export const SCOPE_FORMAT_KEYS: ReadonlyArray<{ key: string; fallback: string }> = Object.values(FORMATS);

type Apply = (variables: Readonly<Record<string, string>>) => string[];

/** The scope formats of a registry. */
export interface ScopeFormats {
  readonly delimiter: string;
  readonly jm: Apply;
  readonly jmJob: Apply;
  readonly tm: Apply;
  readonly tmJob: Apply;
  readonly task: Apply;
  readonly operator: Apply;
}

/** Each format's parent, whose components a leading `*` stands for (as Flink's ScopeFormats). */
const PARENTS: Readonly<Partial<Record<keyof typeof FORMATS, keyof typeof FORMATS>>> = {
  jmJob: 'jm',
  tmJob: 'tm',
  task: 'tmJob',
  operator: 'task',
};

/**
 * Scope formats from a configuration (metrics.scope.*, metrics.scope.delimiter), else Flink's
 * defaults. As Flink's ScopeFormat: a format starting with `*` begins with its parent's components
 * (jm -> jm-job; tm -> tm-job -> task -> operator), and only a whole component `<var>` is a variable.
 */
export function scopeFormats(conf: Readonly<Record<string, string>> = {}): ScopeFormats {
  const delimiter = conf['metrics.scope.delimiter'] ?? '.';
  const templates = new Map<keyof typeof FORMATS, string[]>();
  const template = (name: keyof typeof FORMATS): string[] => {
    const known = templates.get(name);
    if (known) return known;
    const f = FORMATS[name];
    const format = conf[f.key] ?? f.fallback;
    const parent = PARENTS[name];
    let parts: string[];
    if (parent !== undefined && (format === '*' || format.startsWith('*.'))) {
      const own = format.length > 2 ? format.slice(2).split('.') : [];
      parts = [...template(parent), ...own];
    } else {
      parts = format.split('.');
    }
    templates.set(name, parts);
    return parts;
  };
  const make = (name: keyof typeof FORMATS): Apply => {
    const parts = template(name);
    return (vars) => parts.map((p) => (/^<[^<>]+>$/.test(p) ? (vars[p] ?? p) : p));
  };
  return {
    delimiter,
    jm: make('jm'),
    jmJob: make('jmJob'),
    tm: make('tm'),
    tmJob: make('tmJob'),
    task: make('task'),
    operator: make('operator'),
  };
}

/** Flink's default formats. */
export const DEFAULT_SCOPE_FORMATS: ScopeFormats = scopeFormats();
