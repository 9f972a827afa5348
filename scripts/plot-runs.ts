/**
 * Plots the evaluation curves of several runs in one figure (PNG and SVG): the normalized score
 * when the runs have one, else the return.
 *
 *   npx tsx scripts/plot-runs.ts --out docs/img/gail-pendulum --title "..." RUN_DIR [RUN_DIR ...]
 *
 * Each run is one line, labelled with its directory's name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEvalCsv } from '../src/report/learning-curve.js';
import { renderPng, renderSvg, type Series } from '../src/report/line-plot.js';

const { values, positionals } = parseArgs({ options: { out: { type: 'string' }, title: { type: 'string', default: 'evaluation' } }, allowPositionals: true });
if (values.out === undefined || positionals.length === 0) throw new Error('usage: plot-runs.ts --out PREFIX [--title T] RUN_DIR...');
const runs = positionals.map((dir) => ({ dir, cols: readEvalCsv(path.join(dir, 'eval.csv')) }));
const normalized = runs.every((r) => r.cols.normalized_score !== undefined);
const series: Series[] = runs.map(({ dir, cols }) => ({ label: path.basename(dir), x: cols.step, y: normalized ? cols.normalized_score : cols.return_mean }));
const spec = { title: values.title, xLabel: 'env steps', yLabel: normalized ? 'normalized score (1 = expert)' : 'evaluation return', series, ...(normalized ? { hLines: [{ y: 1, label: 'expert' }, { y: 0.9, label: '90 %' }] } : {}) };
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(`${values.out}.png`, renderPng(spec));
writeFileSync(`${values.out}.svg`, renderSvg(spec));
console.log(`wrote ${values.out}.png and .svg`);
