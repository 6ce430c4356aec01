// The job graph as a DAG laid out by dagre (left to right, as Flink's dashboard draws it), drawn in
// SVG: one box per vertex (a chain), coloured by how busy or backpressured it is, with its records
// in and out and its input watermark; an edge per input, labelled with its ship strategy.
import { count, esc, watermark } from './api.js';

const NODE_W = 240;
const NODE_H = 112;

/**
 * The colour of a vertex: backpressured -> grey-blue, busy -> red, idle -> light, as Flink's
 * dashboard shades them (busy and backpressured in ms per second, 0..1000).
 */
export function vertexColour(busy, backPressured, status = 'RUNNING') {
  // Only a running vertex is shaded: an ended one's last numbers say nothing about now.
  if (status !== 'RUNNING') return 'hsl(210, 10%, 93%)';
  const b = Math.max(0, Math.min(1, (busy ?? 0) / 1000));
  const p = Math.max(0, Math.min(1, (backPressured ?? 0) / 1000));
  if (p > b) return `hsl(215, ${20 + 30 * p}%, ${92 - 40 * p}%)`;
  return `hsl(5, ${30 + 60 * b}%, ${95 - 40 * b}%)`;
}

/**
 * Draws the plan (`/jobs/:id/plan`'s nodes) into `container`; `live` has per vertex id
 * `{ busy, backPressured, readRecords, writeRecords, watermark, status }`. Each box links to the
 * vertex's page.
 */
/**
 * A vertex's name on up to two lines of 32 characters (a chain's operators, in order), cut between
 * code points: an emoji or another character outside the BMP was cut in half (found by a review).
 */
export function nameLines(name) {
  const chars = Array.from(name);
  const first = chars.slice(0, 32).join('');
  const rest = chars.slice(32);
  return [first, rest.length > 32 ? `${rest.slice(0, 31).join('')}…` : rest.join('')];
}

export function drawGraph(container, jobId, nodes, live) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const n of nodes) for (const i of n.inputs ?? []) if (g.hasNode(i.id)) g.setEdge(i.id, n.id, { label: i.ship_strategy, width: 80, height: 18 });
  dagre.layout(g);
  const { width, height } = g.graph();
  const parts = [`<svg class="dag" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="job graph">`];
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#667"/></marker></defs>');
  for (const e of g.edges()) {
    const edge = g.edge(e);
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    parts.push(`<path class="edge" d="${d}" marker-end="url(#arrow)"/>`);
    if (edge.label) parts.push(`<text class="edge-label" x="${edge.x.toFixed(1)}" y="${edge.y.toFixed(1)}" text-anchor="middle">${esc(edge.label)}</text>`);
  }
  for (const n of nodes) {
    const box = g.node(n.id);
    const x = box.x - NODE_W / 2;
    const y = box.y - NODE_H / 2;
    const l = live[n.id] ?? {};
    const name = n.operator ?? n.id;
    const [first, second] = nameLines(name);
    const clip = `clip-${esc(n.id)}`;
    const busy = l.busy === undefined ? '-' : `${Math.round(l.busy / 10)}%`;
    const bp = l.backPressured === undefined ? '-' : `${Math.round(l.backPressured / 10)}%`;
    parts.push(
      `<a href="#/job/${esc(jobId)}/vertex/${esc(n.id)}" class="vertex" data-vertex="${esc(n.id)}">`,
      `<title>${esc(name)}</title>`,
      // Wide characters may run past the box: the name lines are clipped to it.
      `<clipPath id="${clip}"><rect x="${x}" y="${y}" width="${NODE_W - 6}" height="${NODE_H}"/></clipPath>`,
      `<rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${vertexColour(l.busy, l.backPressured, l.status)}"/>`,
      `<text x="${x + 10}" y="${y + 18}" class="vname" clip-path="url(#${clip})">${esc(first)}</text>`,
      `<text x="${x + 10}" y="${y + 34}" class="vname" clip-path="url(#${clip})">${esc(second)}</text>`,
      `<text x="${x + 10}" y="${y + 52}">Parallelism ${esc(n.parallelism)} · ${esc(l.status ?? '')}</text>`,
      `<text x="${x + 10}" y="${y + 70}">Busy ${busy} · Backpressured ${bp}</text>`,
      `<text x="${x + 10}" y="${y + 88}">In ${count(l.readRecords)} · Out ${count(l.writeRecords)}</text>`,
      `<text x="${x + 10}" y="${y + 104}" class="muted">Watermark ${esc(watermark(l.watermark))}</text>`,
      '</a>',
    );
  }
  parts.push('</svg>');
  container.innerHTML = parts.join('');
}
