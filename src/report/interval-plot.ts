/**
 * An interval plot as rliable draws aggregate scores: one row per arm, a shaded bar over its
 * confidence interval and a tick at its point estimate, on a shared score axis. PNG (our own
 * rasteriser) and SVG from one layout.
 */
import { textWidth } from './font.js';
import { formatTick, niceTicks, type PlotFrame } from './line-plot.js';
import { blankRaster, encodePng } from './png.js';
import { line, put, text, type Rgb } from './raster-draw.js';

/** One row: an estimate and its interval. */
export interface IntervalRow {
  label: string;
  point: number;
  lo: number;
  hi: number;
  color: Rgb;
}

export interface IntervalPlotSpec {
  title: string;
  xLabel: string;
  rows: readonly IntervalRow[];
  width?: number;
  /** Vertical reference lines (e.g. the expert's level), drawn when inside the data's range. */
  vLines?: readonly { x: number; label: string }[];
}

const ROW = 34;

interface IntervalLayout extends PlotFrame {
  ticks: number[];
  sx: (x: number) => number;
  rowY: (i: number) => number;
  vLines: { x: number; label: string }[];
}

function layout(spec: IntervalPlotSpec): IntervalLayout {
  if (spec.rows.length === 0) throw new Error(`interval plot '${spec.title}': no rows to draw`);
  const values = spec.rows.flatMap((r) => [r.point, r.lo, r.hi]);
  if (!values.every(Number.isFinite)) throw new Error(`interval plot '${spec.title}': non-finite estimate or interval`);
  let [x0, x1] = [Math.min(...values), Math.max(...values)];
  if (x0 === x1) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  const pad = 0.05 * (x1 - x0);
  [x0, x1] = [x0 - pad, x1 + pad];
  const width = spec.width ?? 720;
  const left = 24 + Math.max(...spec.rows.map((r) => textWidth(r.label, 2)));
  const right = width - 24;
  const top = 48;
  const bottom = top + ROW * spec.rows.length;
  return {
    width,
    height: bottom + 56,
    left,
    right,
    top,
    bottom,
    ticks: niceTicks(x0, x1, 6),
    sx: (x) => left + ((x - x0) / (x1 - x0)) * (right - left),
    rowY: (i) => top + ROW * i + ROW / 2,
    vLines: (spec.vLines ?? []).filter((v) => v.x >= x0 && v.x <= x1),
  };
}

/** The interval plot as a PNG file. */
export function renderIntervalPng(spec: IntervalPlotSpec): Buffer {
  const L = layout(spec);
  const r = blankRaster(L.width, L.height);
  const grey: Rgb = [225, 225, 225];
  const ink: Rgb = [40, 40, 40];
  for (const t of L.ticks) {
    line(r, L.sx(t), L.top, L.sx(t), L.bottom, grey);
    const label = formatTick(t);
    text(r, label, L.sx(t) - textWidth(label, 2) / 2, L.bottom + 8, ink);
  }
  for (const v of L.vLines) {
    for (let y = L.top; y < L.bottom; y += 8) line(r, L.sx(v.x), y, L.sx(v.x), Math.min(y + 4, L.bottom), ink);
    text(r, v.label, L.sx(v.x) - textWidth(v.label, 1) / 2, L.top - 10, ink, 1);
  }
  spec.rows.forEach((row, i) => {
    const y = L.rowY(i);
    for (let px = Math.round(L.sx(row.lo)); px <= Math.round(L.sx(row.hi)); px++) for (let py = y - 7; py <= y + 7; py++) put(r, px, py, row.color, 0.35);
    line(r, L.sx(row.point), y - 11, L.sx(row.point), y + 11, row.color, 3);
    text(r, row.label, L.left - 12 - textWidth(row.label, 2), y - 7, ink);
  });
  line(r, L.left, L.bottom, L.right, L.bottom, ink);
  const titleScale = textWidth(spec.title, 2) <= L.width - 20 ? 2 : 1;
  text(r, spec.title, (L.width - textWidth(spec.title, titleScale)) / 2, 12, ink, titleScale);
  text(r, spec.xLabel, (L.left + L.right - textWidth(spec.xLabel, 2)) / 2, L.height - 22, ink);
  return encodePng(r);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const rgb = (c: Rgb) => `rgb(${c.join(',')})`;
const f = (v: number) => +v.toFixed(2);

/** The interval plot as an SVG document: one `<g class="row">` per row. */
export function renderIntervalSvg(spec: IntervalPlotSpec): string {
  const L = layout(spec);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" font-family="sans-serif" font-size="12">`, '<rect width="100%" height="100%" fill="white"/>'];
  for (const t of L.ticks) {
    out.push(`<line x1="${f(L.sx(t))}" x2="${f(L.sx(t))}" y1="${L.top}" y2="${L.bottom}" stroke="#e1e1e1"/>`);
    out.push(`<text x="${f(L.sx(t))}" y="${L.bottom + 18}" text-anchor="middle">${esc(formatTick(t))}</text>`);
  }
  for (const v of L.vLines) {
    out.push(`<line x1="${f(L.sx(v.x))}" x2="${f(L.sx(v.x))}" y1="${L.top}" y2="${L.bottom}" stroke="#282828" stroke-dasharray="4 4"/>`);
    out.push(`<text x="${f(L.sx(v.x))}" y="${L.top - 6}" text-anchor="middle" font-size="10">${esc(v.label)}</text>`);
  }
  spec.rows.forEach((row, i) => {
    const y = L.rowY(i);
    const c = rgb(row.color);
    out.push(
      '<g class="row">',
      `<rect x="${f(L.sx(row.lo))}" y="${y - 7}" width="${f(Math.max(1, L.sx(row.hi) - L.sx(row.lo)))}" height="14" fill="${c}" fill-opacity="0.35"/>`,
      `<line x1="${f(L.sx(row.point))}" x2="${f(L.sx(row.point))}" y1="${y - 11}" y2="${y + 11}" stroke="${c}" stroke-width="3"/>`,
      `<text x="${L.left - 12}" y="${y + 4}" text-anchor="end">${esc(row.label)}</text>`,
      '</g>',
    );
  });
  out.push(`<line x1="${L.left}" x2="${L.right}" y1="${L.bottom}" y2="${L.bottom}" stroke="#282828"/>`);
  out.push(`<text x="${L.width / 2}" y="26" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  out.push(`<text x="${(L.left + L.right) / 2}" y="${L.height - 10}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
