import { escapeHtml } from './escape.js';

/**
 * Small inline SVG charts. Drawn here rather than with a charting library: the page runs no script at all (its
 * Content-Security-Policy forbids scripts), a horizontal bar and a polyline are all the report needs, and the
 * output is deterministic text that tests can read.
 */

/** One bar: its label (escaped) and value. */
export interface Bar {
  label: string;
  value: number;
}

const PALETTE = ['#2f6f9f', '#d08a2c', '#5b9a5b', '#b04a4a', '#7a5fa0', '#4a9aa0', '#8a7a52', '#a05f86'];

/** Horizontal bars, one row per bar, the value printed after the bar. Width scales to the largest value. */
export function barChart(bars: readonly Bar[], opts: { title: string; format: (n: number) => string }): string {
  const row = 26;
  const labelW = 230;
  const barW = 330;
  const width = labelW + barW + 110;
  const height = Math.max(1, bars.length) * row + 8;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = 4 + i * row;
    const w = max > 0 ? Math.max(b.value > 0 ? 1 : 0, Math.round((b.value / max) * barW)) : 0;
    const color = PALETTE[i % PALETTE.length]!;
    return [
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" class="lbl">${escapeHtml(b.label)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${row - 8}" fill="${color}"><title>${escapeHtml(b.label)}: ${escapeHtml(opts.format(b.value))}</title></rect>`,
      `<text x="${labelW + w + 6}" y="${y + 17}" class="val">${escapeHtml(opts.format(b.value))}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(opts.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${rows.join('')}</svg>`;
}

/** One point of a line chart: an x label (e.g. a month) and a value. */
export interface Point {
  label: string;
  value: number;
}

/** A line over ordered points with a dot and value at each, between `min` and `max` on the y axis. */
export function lineChart(points: readonly Point[], opts: { title: string; min: number; max: number; format: (n: number) => string }): string {
  const width = 640;
  const height = 240;
  const left = 48;
  const right = 24;
  const top = 16;
  const bottom = 40;
  const span = opts.max - opts.min || 1;
  const x = (i: number) => left + (points.length <= 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (points.length - 1));
  const y = (v: number) => top + (1 - (v - opts.min) / span) * (height - top - bottom);
  const grid = [opts.min, opts.min + span / 2, opts.max]
    .map((g) => `<line x1="${left}" x2="${width - right}" y1="${y(g).toFixed(1)}" y2="${y(g).toFixed(1)}" class="grid"/><text x="${left - 6}" y="${(y(g) + 4).toFixed(1)}" text-anchor="end" class="lbl">${escapeHtml(opts.format(g))}</text>`)
    .join('');
  const path = points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const dots = points
    .map(
      (p, i) =>
        `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="4" fill="${PALETTE[0]}"><title>${escapeHtml(p.label)}: ${escapeHtml(opts.format(p.value))}</title></circle>` +
        `<text x="${x(i).toFixed(1)}" y="${(y(p.value) - 9).toFixed(1)}" text-anchor="middle" class="val">${escapeHtml(opts.format(p.value))}</text>` +
        `<text x="${x(i).toFixed(1)}" y="${height - 14}" text-anchor="middle" class="lbl">${escapeHtml(p.label)}</text>`,
    )
    .join('');
  const line = points.length > 1 ? `<polyline points="${path}" fill="none" stroke="${PALETTE[0]}" stroke-width="2"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(opts.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${grid}${line}${dots}</svg>`;
}
