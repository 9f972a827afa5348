/**
 * Learning-curve plots as PNG (our own rasteriser, src/report/png.ts) and SVG, with no browser or
 * canvas: lines, optional shaded bands (e.g. a confidence interval), axes with round ticks, a
 * legend and a title. One layout serves both formats, so they show the same thing.
 */
import { GLYPH_HEIGHT, textWidth } from './font.js';
import { blankRaster, encodePng, type Raster } from './png.js';
import { line, put, text, type Rgb } from './raster-draw.js';

export type { Rgb } from './raster-draw.js';

/** One curve: points (x[i], y[i]); `lo`/`hi` shade a band around it when given. */
export interface Series {
  label: string;
  x: readonly number[];
  y: readonly number[];
  lo?: readonly number[];
  hi?: readonly number[];
  color?: Rgb;
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Fixed y range; by default the data's, padded. */
  yRange?: [number, number];
  /** Horizontal reference lines (e.g. the expert's level). */
  hLines?: readonly { y: number; label: string }[];
  /** Draw the series legend inside the plot (default true; a figure of panels draws one for all). */
  legend?: boolean;
}

/** A colour-blind-safe cycle (Okabe–Ito). */
export const PALETTE: Rgb[] = [
  [0, 114, 178],
  [213, 94, 0],
  [0, 158, 115],
  [204, 121, 167],
  [230, 159, 0],
  [86, 180, 233],
  [240, 228, 66],
  [0, 0, 0],
];

/** A plot's size and the margins around its data area, in pixels (shared with interval-plot.ts). */
export interface PlotFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Layout extends PlotFrame {
  /** Where the plot's top-left corner sits in the image (a panel of a larger figure). */
  ox: number;
  oy: number;
  xTicks: number[];
  yTicks: number[];
  sx: (x: number) => number;
  sy: (y: number) => number;
}

/** Round tick values covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Compact tick labels: 12000 → 12k, 0.25 → 0.25. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return `${Math.round(v)}`;
  return `${+v.toFixed(2)}`;
}

function layout(spec: PlotSpec, ox = 0, oy = 0): Layout {
  const width = spec.width ?? 720;
  const height = spec.height ?? 440;
  const xs = spec.series.flatMap((s) => s.x).filter(Number.isFinite);
  const ys = spec.series.flatMap((s) => [...s.y, ...(s.lo ?? []), ...(s.hi ?? [])]).concat((spec.hLines ?? []).map((h) => h.y)).filter(Number.isFinite);
  if (xs.length === 0 || ys.length === 0) throw new Error(`plot '${spec.title}': no finite data to draw`);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = spec.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  if (spec.yRange === undefined) {
    const pad = 0.05 * (y1 - y0);
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const left = ox + 70;
  const right = ox + width - 20;
  const top = oy + 52;
  const bottom = oy + height - 50;
  return {
    ox,
    oy,
    width,
    height,
    left,
    right,
    top,
    bottom,
    xTicks: niceTicks(x0, x1, 6),
    yTicks: niceTicks(y0, y1, 5),
    sx: (x) => left + ((x - x0) / (x1 - x0)) * (right - left),
    sy: (y) => bottom - ((y - y0) / (y1 - y0)) * (bottom - top),
  };
}

const colorOf = (s: Series, i: number): Rgb => s.color ?? PALETTE[i % PALETTE.length];

// ---------------------------------------------------------------- PNG

function band(r: Raster, s: Series, L: Layout, c: Rgb): void {
  const { lo, hi, x } = s;
  if (lo === undefined || hi === undefined) return;
  for (let i = 0; i + 1 < x.length; i++) {
    const xa = L.sx(x[i]);
    const xb = L.sx(x[i + 1]);
    const last = i + 2 === x.length;
    // Each pixel column once: a segment owns [xa, xb), the last one [xa, xb].
    for (let px = Math.ceil(xa); last ? px <= xb : px < xb; px++) {
      const t = xb === xa ? 0 : (px - xa) / (xb - xa);
      const yl = L.sy(lo[i] + t * (lo[i + 1] - lo[i]));
      const yh = L.sy(hi[i] + t * (hi[i + 1] - hi[i]));
      for (let py = Math.ceil(Math.min(yl, yh)); py <= Math.floor(Math.max(yl, yh)); py++) {
        if (py >= L.top && py <= L.bottom) put(r, px, py, c, 0.2);
      }
    }
  }
}

/** The plot as a PNG file. */
export function renderPng(spec: PlotSpec): Buffer {
  const L = layout(spec);
  const r = blankRaster(L.width, L.height);
  drawPlot(r, spec, L);
  return encodePng(r);
}

/** Draws `spec` into `r` where `L` places it. */
function drawPlot(r: Raster, spec: PlotSpec, L: Layout): void {
  const grey: Rgb = [225, 225, 225];
  const ink: Rgb = [40, 40, 40];
  for (const t of L.yTicks) {
    line(r, L.left, L.sy(t), L.right, L.sy(t), grey);
    const label = formatTick(t);
    text(r, label, L.left - 8 - textWidth(label, 2), L.sy(t) - GLYPH_HEIGHT, ink);
  }
  for (const t of L.xTicks) {
    line(r, L.sx(t), L.top, L.sx(t), L.bottom, grey);
    const label = formatTick(t);
    text(r, label, L.sx(t) - textWidth(label, 2) / 2, L.bottom + 8, ink);
  }
  spec.series.forEach((s, i) => band(r, s, L, colorOf(s, i)));
  for (const h of spec.hLines ?? []) {
    for (let x = L.left; x < L.right; x += 8) line(r, x, L.sy(h.y), Math.min(x + 4, L.right), L.sy(h.y), ink);
    text(r, h.label, L.right - textWidth(h.label, 1) - 4, L.sy(h.y) - 10, ink, 1);
  }
  spec.series.forEach((s, i) => {
    const c = colorOf(s, i);
    for (let k = 0; k + 1 < s.x.length; k++) {
      if ([s.y[k], s.y[k + 1]].every(Number.isFinite)) line(r, L.sx(s.x[k]), L.sy(s.y[k]), L.sx(s.x[k + 1]), L.sy(s.y[k + 1]), c, 2);
    }
    if (s.x.length === 1) line(r, L.sx(s.x[0]) - 2, L.sy(s.y[0]), L.sx(s.x[0]) + 2, L.sy(s.y[0]), c, 3);
  });
  // The legend last, bottom right (where rising learning curves leave room), on a white box.
  if (spec.legend !== false) drawLegend(r, spec, L);
  line(r, L.left, L.top, L.left, L.bottom, ink);
  line(r, L.left, L.bottom, L.right, L.bottom, ink);
  const titleScale = textWidth(spec.title, 2) <= L.width - 20 ? 2 : 1;
  text(r, spec.title, L.ox + (L.width - textWidth(spec.title, titleScale)) / 2, L.oy + 10, ink, titleScale);
  text(r, spec.xLabel, (L.left + L.right - textWidth(spec.xLabel, 2)) / 2, L.oy + L.height - 22, ink);
  text(r, spec.yLabel, L.ox + 6, L.top - 14, ink, 1);
}

function drawLegend(r: Raster, spec: PlotSpec, L: Layout): void {
  const ink: Rgb = [40, 40, 40];
  const legendWidth = 50 + Math.max(...spec.series.map((s) => textWidth(s.label, 2)));
  const lx = L.right - legendWidth - 6;
  const ly = L.bottom - 10 - 22 * spec.series.length;
  for (let y = ly + 2; y < ly + 6 + 22 * spec.series.length; y++) line(r, lx, y, lx + legendWidth, y, [255, 255, 255]);
  spec.series.forEach((s, i) => {
    line(r, lx + 6, ly + 14 + 22 * i, lx + 30, ly + 14 + 22 * i, colorOf(s, i), 3);
    text(r, s.label, lx + 36, ly + 7 + 22 * i, ink);
  });
}

// ---------------------------------------------------------------- SVG

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const rgb = (c: Rgb) => `rgb(${c.join(',')})`;
const f = (v: number) => +v.toFixed(2);

/** The plot as an SVG document. */
export function renderSvg(spec: PlotSpec): string {
  const L = layout(spec);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" font-family="sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`];
  out.push(...svgElements(spec, L));
  out.push('</svg>');
  return out.join('\n');
}

/** The SVG elements of a plot laid out at the origin (a figure moves panels with a transform). */
function svgElements(spec: PlotSpec, L: Layout): string[] {
  const out: string[] = [];
  for (const t of L.yTicks) {
    out.push(`<line x1="${L.left}" x2="${L.right}" y1="${f(L.sy(t))}" y2="${f(L.sy(t))}" stroke="#e1e1e1"/>`);
    out.push(`<text x="${L.left - 8}" y="${f(L.sy(t) + 4)}" text-anchor="end">${esc(formatTick(t))}</text>`);
  }
  for (const t of L.xTicks) {
    out.push(`<line x1="${f(L.sx(t))}" x2="${f(L.sx(t))}" y1="${L.top}" y2="${L.bottom}" stroke="#e1e1e1"/>`);
    out.push(`<text x="${f(L.sx(t))}" y="${L.bottom + 18}" text-anchor="middle">${esc(formatTick(t))}</text>`);
  }
  spec.series.forEach((s, i) => {
    if (s.lo === undefined || s.hi === undefined) return;
    const upper = s.x.map((x, k) => `${f(L.sx(x))},${f(L.sy(s.hi![k]))}`);
    const lower = s.x.map((x, k) => `${f(L.sx(x))},${f(L.sy(s.lo![k]))}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${rgb(colorOf(s, i))}" fill-opacity="0.2" stroke="none"/>`);
  });
  for (const h of spec.hLines ?? []) {
    out.push(`<line x1="${L.left}" x2="${L.right}" y1="${f(L.sy(h.y))}" y2="${f(L.sy(h.y))}" stroke="#282828" stroke-dasharray="4 4"/>`);
    out.push(`<text x="${L.right - 4}" y="${f(L.sy(h.y) - 4)}" text-anchor="end" font-size="10">${esc(h.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const c = rgb(colorOf(s, i));
    const pts = s.x.map((x, k) => `${f(L.sx(x))},${f(L.sy(s.y[k]))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="2"/>`);
    if (spec.legend === false) return;
    const ly = L.bottom - 10 - 22 * spec.series.length;
    out.push(`<line x1="${L.right - 190}" x2="${L.right - 166}" y1="${ly + 14 + 22 * i}" y2="${ly + 14 + 22 * i}" stroke="${c}" stroke-width="3"/>`);
    out.push(`<text x="${L.right - 160}" y="${ly + 18 + 22 * i}">${esc(s.label)}</text>`);
  });
  out.push(`<line x1="${L.left}" x2="${L.left}" y1="${L.top}" y2="${L.bottom}" stroke="#282828"/>`, `<line x1="${L.left}" x2="${L.right}" y1="${L.bottom}" y2="${L.bottom}" stroke="#282828"/>`);
  out.push(`<text x="${L.width / 2}" y="24" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  out.push(`<text x="${(L.left + L.right) / 2}" y="${L.height - 10}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text x="6" y="${L.top - 8}" font-size="11">${esc(spec.yLabel)}</text>`);
  return out;
}

// ---------------------------------------------------------------- figures of panels

/** One legend entry of a figure: a label and its series colour. */
export interface LegendEntry {
  label: string;
  color: Rgb;
}

/**
 * Several plots side by side in a grid under one title and one legend (e.g. one panel per env
 * with the same arms in each). Panels draw no legend of their own; give each series its `color`
 * so that an arm has the same colour in every panel.
 */
export interface FigureSpec {
  title: string;
  panels: readonly PlotSpec[];
  legend: readonly LegendEntry[];
  /** Panels per row (default: up to 3). */
  columns?: number;
  panelWidth?: number;
  panelHeight?: number;
}

interface FigureLayout {
  width: number;
  height: number;
  columns: number;
  panelWidth: number;
  panelHeight: number;
  /** Legend entries' positions (relative to the figure), row by row. */
  legend: { x: number; y: number }[];
  panelsTop: number;
}

const LEGEND_ROW = 24;

function figureLayout(fig: FigureSpec): FigureLayout {
  if (fig.panels.length === 0) throw new Error(`figure '${fig.title}': no panels to draw`);
  const columns = Math.max(1, Math.min(fig.columns ?? 3, fig.panels.length));
  const panelWidth = fig.panelWidth ?? 480;
  const panelHeight = fig.panelHeight ?? 340;
  const width = columns * panelWidth;
  // Legend entries flow left to right and wrap: a line sample, then the label.
  const legend: { x: number; y: number }[] = [];
  let x = 20;
  let y = 40;
  for (const e of fig.legend) {
    const w = 34 + textWidth(e.label, 2) + 24;
    if (x > 20 && x + w > width - 20) {
      x = 20;
      y += LEGEND_ROW;
    }
    legend.push({ x, y });
    x += w;
  }
  const panelsTop = y + (fig.legend.length > 0 ? LEGEND_ROW : 0) + 6;
  const rows = Math.ceil(fig.panels.length / columns);
  return { width, height: panelsTop + rows * panelHeight, columns, panelWidth, panelHeight, legend, panelsTop };
}

const panelOrigin = (F: FigureLayout, i: number): [number, number] => [(i % F.columns) * F.panelWidth, F.panelsTop + Math.floor(i / F.columns) * F.panelHeight];

const panelSpec = (F: FigureLayout, p: PlotSpec): PlotSpec => ({ ...p, width: F.panelWidth, height: F.panelHeight, legend: false });

/** The figure as a PNG file. */
export function renderFigurePng(fig: FigureSpec): Buffer {
  const F = figureLayout(fig);
  const r = blankRaster(F.width, F.height);
  const ink: Rgb = [40, 40, 40];
  const titleScale = textWidth(fig.title, 2) <= F.width - 20 ? 2 : 1;
  text(r, fig.title, (F.width - textWidth(fig.title, titleScale)) / 2, 10, ink, titleScale);
  fig.legend.forEach((e, i) => {
    const { x, y } = F.legend[i];
    line(r, x, y + 7, x + 26, y + 7, e.color, 3);
    text(r, e.label, x + 34, y, ink);
  });
  fig.panels.forEach((p, i) => {
    const spec = panelSpec(F, p);
    drawPlot(r, spec, layout(spec, ...panelOrigin(F, i)));
  });
  return encodePng(r);
}

/** The figure as an SVG document: one `<g class="panel">` per panel. */
export function renderFigureSvg(fig: FigureSpec): string {
  const F = figureLayout(fig);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${F.width}" height="${F.height}" font-family="sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`];
  out.push(`<text x="${F.width / 2}" y="24" text-anchor="middle" font-size="16">${esc(fig.title)}</text>`);
  fig.legend.forEach((e, i) => {
    const { x, y } = F.legend[i];
    out.push(`<line x1="${x}" x2="${x + 26}" y1="${y + 7}" y2="${y + 7}" stroke="${rgb(e.color)}" stroke-width="3"/>`);
    out.push(`<text x="${x + 34}" y="${y + 11}">${esc(e.label)}</text>`);
  });
  fig.panels.forEach((p, i) => {
    const spec = panelSpec(F, p);
    const [ox, oy] = panelOrigin(F, i);
    out.push(`<g class="panel" transform="translate(${ox},${oy})">`, ...svgElements(spec, layout(spec)), '</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}
