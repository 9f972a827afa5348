/**
 * A run's learning curve from its eval.csv, as learning-curve.png and learning-curve.svg in the
 * run directory: the normalized score when the run has one (GAIL, with the expert's level at 1),
 * else the evaluation return with a ±1 std band.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicAsync } from '../atomic-file.js';
import { renderPng, renderSvg, type PlotSpec } from './line-plot.js';

/** Columns of eval.csv, by name. Throws naming the file when it is missing or malformed. */
export function readEvalCsv(file: string): Record<string, number[]> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 1) throw new Error(`${file}: empty`);
  const header = lines[0].split(',');
  const columns: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, []]));
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${file}: line ${i + 2} has ${cells.length} fields, the header ${header.length}`);
    cells.forEach((c, k) => columns[header[k]].push(c === '' ? Number.NaN : Number(c)));
  });
  return columns;
}

/** The plot of a run's eval.csv, or null when it has no evaluation rows yet. */
export function learningCurveSpec(runDir: string, title: string): PlotSpec | null {
  const cols = readEvalCsv(path.join(runDir, 'eval.csv'));
  const steps = cols.step ?? [];
  if (steps.length === 0) return null;
  const score = cols.normalized_score;
  if (score !== undefined && score.some(Number.isFinite)) {
    return { title, xLabel: 'env steps', yLabel: 'normalized score (1 = expert, 0 = random)', series: [{ label: 'evaluation', x: steps, y: score }], hLines: [{ y: 1, label: 'expert' }] };
  }
  const mean = cols.return_mean;
  const std = cols.return_std ?? mean.map(() => 0);
  return { title, xLabel: 'env steps', yLabel: 'evaluation return (mean +- std)', series: [{ label: 'evaluation', x: steps, y: mean, lo: mean.map((m, i) => m - std[i]), hi: mean.map((m, i) => m + std[i]) }] };
}

/** Writes learning-curve.png and .svg into `runDir`; returns the PNG's path, or null without evaluations. */
export async function writeLearningCurve(runDir: string, title: string): Promise<string | null> {
  const spec = learningCurveSpec(runDir, title);
  if (spec === null) return null;
  const png = path.join(runDir, 'learning-curve.png');
  await writeFileAtomicAsync(png, renderPng(spec));
  await writeFileAtomicAsync(path.join(runDir, 'learning-curve.svg'), renderSvg(spec));
  return png;
}
