// Small SVG charts: a line chart of values over time, and the barrier timeline of one checkpoint.
import { duration, esc } from './api.js';

/** A line chart of `points` ([{t, v}]) with a title and a unit. */
export function lineChart(points, { title, unit, width = 560, height = 160 }) {
  const pad = { l: 56, r: 12, t: 24, b: 24 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const head = `<svg class="chart" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><text x="${pad.l}" y="15" class="chart-title">${esc(title)}</text>`;
  if (points.length < 2) return `${head}<text x="${pad.l}" y="${pad.t + h / 2}" class="muted">Collecting data…</text></svg>`;
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const max = Math.max(...points.map((p) => p.v), 1);
  const x = (t) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * w;
  const y = (v) => pad.t + h - (v / max) * h;
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = points[points.length - 1].v;
  return [
    head,
    `<line x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}" class="axis"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${pad.t + h}" class="axis"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 4}" text-anchor="end" class="tick">${esc(fmt(max))}</text>`,
    `<text x="${pad.l - 4}" y="${pad.t + h}" text-anchor="end" class="tick">0</text>`,
    `<text x="${pad.l}" y="${height - 6}" class="tick">-${esc(duration(t1 - t0))}</text>`,
    `<text x="${pad.l + w}" y="${height - 6}" text-anchor="end" class="tick">now · ${esc(fmt(last))} ${esc(unit)}</text>`,
    `<path d="${d}" class="line"/>`,
    '</svg>',
  ].join('');
}

function fmt(v) {
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

/** The phases of a subtask's checkpoint, in order, with their colours. */
export const PHASES = [
  { key: 'startDelay', label: 'start delay (barrier travel)', colour: '#c9d6ea' },
  { key: 'alignment', label: 'alignment (first to last barrier)', colour: '#f0b35a' },
  { key: 'sync', label: 'sync part', colour: '#d9534f' },
  { key: 'async', label: 'async part (writing state)', colour: '#5b8def' },
];

/**
 * The phases of one subtask's checkpoint from Flink's subtask details: from the trigger the
 * barrier travels (start_delay) to the first barrier, alignment runs to the last barrier, then the
 * synchronous and asynchronous parts; what is left until the acknowledgement is reporting.
 */
export function subtaskPhases(s, triggerTimestamp) {
  const startDelay = Math.max(0, s.start_delay ?? 0);
  const alignment = Math.max(0, s.alignment?.duration ?? 0);
  const sync = Math.max(0, s.checkpoint?.sync ?? 0);
  const async = Math.max(0, s.checkpoint?.async ?? 0);
  const total = Math.max(0, s.end_to_end_duration ?? (s.ack_timestamp ?? triggerTimestamp) - triggerTimestamp);
  return { startDelay, alignment, sync, async, firstBarrier: startDelay, lastBarrier: startDelay + alignment, total, persisted: s.alignment?.persisted ?? 0, processed: s.alignment?.processed ?? 0 };
}

/**
 * The slowest subtask of a checkpoint and the phase where its time went: `rows` are
 * `{ vertex, index, parallelism, phases }`.
 */
export function slowest(rows) {
  let worst;
  for (const r of rows) if (!worst || r.phases.total > worst.phases.total) worst = r;
  if (!worst) return undefined;
  const phase = PHASES.reduce((a, p) => (worst.phases[p.key] > worst.phases[a.key] ? p : a), PHASES[0]);
  const known = PHASES.reduce((n, p) => n + worst.phases[p.key], 0);
  const other = worst.phases.total - known;
  return { row: worst, phase: other > worst.phases[phase.key] ? { key: 'report', label: 'acknowledging (between the parts and the JobManager)' } : phase };
}

/** The barrier timeline: one row per subtask, its phases as bars on a shared time axis from the trigger. */
export function barrierTimeline(rows) {
  const width = 860;
  const label = 330;
  const rowH = 20;
  const total = Math.max(1, ...rows.map((r) => r.phases.total));
  const scale = (width - label - 20) / total;
  const height = rows.length * rowH + 40;
  const out = [`<svg class="timeline" width="${width}" height="${height}" role="img" aria-label="barrier timeline">`];
  out.push(`<text x="${label}" y="12" class="tick">0 (trigger)</text><text x="${width - 20}" y="12" text-anchor="end" class="tick">${esc(duration(total))}</text>`);
  rows.forEach((r, i) => {
    const y = 20 + i * rowH;
    const name = `${r.vertex} (${r.index + 1}/${r.parallelism})`;
    out.push(`<text x="${label - 6}" y="${y + 13}" text-anchor="end" class="tl-label">${esc(name.length > 52 ? `…${name.slice(name.length - 51)}` : name)}</text>`);
    let at = 0;
    for (const p of PHASES) {
      const v = r.phases[p.key];
      if (v > 0) out.push(`<rect x="${(label + at * scale).toFixed(1)}" y="${y + 3}" width="${Math.max(1, v * scale).toFixed(1)}" height="${rowH - 6}" fill="${p.colour}"><title>${esc(`${name}: ${p.label} ${duration(v)}`)}</title></rect>`);
      at += v;
    }
    out.push(`<line x1="${(label + r.phases.total * scale).toFixed(1)}" y1="${y + 2}" x2="${(label + r.phases.total * scale).toFixed(1)}" y2="${y + rowH - 2}" class="ack"><title>${esc(`${name}: acknowledged after ${duration(r.phases.total)}`)}</title></line>`);
  });
  out.push('</svg>');
  return out.join('');
}
