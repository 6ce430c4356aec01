// The UI's only way to the cluster: its REST API, as any other client (the same paths the CLI and
// Flink's dashboard use). Helpers to format what it answers.

/** A REST error: the message of Flink's `{"errors": [...]}`, and the HTTP status (none for a failed connection). */
export class RestError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  const r = await fetch(path, init);
  const type = r.headers.get('content-type') ?? '';
  const answer = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw new RestError(Array.isArray(answer?.errors) ? answer.errors.join('\n') : `${method} ${path}: ${r.status}`, r.status);
  return answer;
}

export const get = (path) => call('GET', path);
export const post = (path, body = {}) => call('POST', path, body);
export const patch = (path, body) => call('PATCH', path, body);
export const del = (path) => call('DELETE', path);
export const upload = (file) => {
  const form = new FormData();
  form.append('jarfile', file, file.name);
  return call('POST', '/jars/upload', form);
};

/** Waits for an asynchronous operation (savepoint, stop, rescaling) to finish; its `operation`. */
export async function awaitOperation(path, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const a = await get(path);
    if (a.status?.id === 'COMPLETED') {
      const cause = a.operation?.['failure-cause'];
      if (cause) throw new RestError(cause['stack-trace'] ?? cause['class'] ?? 'The operation failed');
      return a.operation ?? {};
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new RestError(`No answer from ${path} within ${timeoutMs / 1000} s`);
}

/** HTML-escapes a value. */
export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A duration in ms as Flink's dashboard shows it (`1h 2m`, `3s 120ms`). */
export function duration(ms) {
  if (ms === undefined || ms === null || ms < 0 || Number.isNaN(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return ms % 1000 === 0 ? `${s}s` : `${s}s ${Math.round(ms % 1000)}ms`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 24 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A time stamp (ms since the epoch) as local `yyyy-MM-dd HH:mm:ss`. */
export function time(ms) {
  if (!ms || ms < 0) return '-';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Bytes as `1.2 KB`. */
export function bytes(n) {
  if (n === undefined || n === null || n < 0) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A count with thousands separators. */
export function count(n) {
  return n === undefined || n === null || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US');
}

/** Flink's Long.MIN_VALUE watermark, "no watermark". */
export const NO_WATERMARK = '-9223372036854775808';

/** A watermark as text. */
export function watermark(v) {
  if (v === undefined || v === null || String(v) === NO_WATERMARK || Number(v) <= -9.2e18) return 'No Watermark';
  return time(Number(v));
}

/** A state badge. */
export function badge(state) {
  return `<span class="badge state-${esc(String(state).toLowerCase())}">${esc(state)}</span>`;
}
