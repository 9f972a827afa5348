/**
 * The report of an ablation study (`imitate report DIR`): report.md with the final-score table per
 * arm (mean ± std, IQM with a 95 % stratified-bootstrap interval, per-task means), the probability
 * of improvement of every pair of arms, the learning curves (curves.png / curves.svg, one panel
 * per env), the IQMs as an interval plot (iqm.png / iqm.svg) and the list of runs without a result.
 *
 * The report holds nothing that depends on where or when it was made (no timestamps, durations or
 * absolute paths), so the same finished runs give the same bytes whichever executor ran them.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicAsync } from '../atomic-file.js';
import { assertSeed } from '../rng.js';
import { renderIntervalPng, renderIntervalSvg, type IntervalPlotSpec } from './interval-plot.js';
import { renderFigurePng, renderFigureSvg } from './line-plot.js';
import { DEFAULT_REPS, type Interval } from './stats.js';
import { armColor, curvesFigure } from './study-curves.js';
import { loadStudyRuns, type StudyRuns } from './study-runs.js';
import { reportStream, studyStats, type StudyStats } from './study-stats.js';

export const REPORT_FILE = 'report.md';
export const CURVES_PNG = 'curves.png';
export const CURVES_SVG = 'curves.svg';
export const IQM_PNG = 'iqm.png';
export const IQM_SVG = 'iqm.svg';

/** The seed of a report's bootstrap streams unless one is given. */
export const DEFAULT_REPORT_SEED = 0;

export interface StudyReportOptions {
  /** Bootstrap resamples per interval (default {@link DEFAULT_REPS}). */
  reps?: number;
  /** Seed of the bootstrap streams (default {@link DEFAULT_REPORT_SEED}). */
  seed?: number;
}

export interface StudyReportResult {
  reportFile: string;
  /** The plot files written (empty while no run has finished). */
  plots: string[];
  finished: number;
  total: number;
}

/** Three decimals, without a sign on a value that rounds to zero. */
const f3 = (v: number): string => {
  const s = v.toFixed(3);
  return /^-0\.0+$/.test(s) ? s.slice(1) : s;
};
const cell = (s: string): string => s.replace(/\|/g, '\\|');
const interval = (i: Interval): string => `${f3(i.point)} [${f3(i.lo)}, ${f3(i.hi)}]`;
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

/** The markdown of the report. `reps` and `seed` are those the numbers were computed with. */
export function studyReportMarkdown(study: StudyRuns, stats: StudyStats, reps: number, seed: number, plots: { curves: boolean; iqm: boolean }): string {
  const { plan, tasks, finished, missing } = study;
  const total = plan.runs.length;
  const lines: string[] = [`# Study report: ${plan.study} (profile ${plan.profile})`, '', plan.description, ''];
  lines.push(`**${finished.length} of ${total} runs finished.**${missing.length > 0 ? ' The numbers below use the finished runs only; the others are listed under "Missing runs".' : ''}`, '');
  lines.push(
    `Score: each run's normalized score at its final evaluation (1 = the demonstrations' return, 0 = a random policy's). ` +
      `Tasks: ${tasks.map((t) => t.label).join(', ')}. ` +
      `Intervals: 95 % percentile intervals over ${reps} stratified bootstrap resamples (seed ${seed}).`,
    '',
  );

  lines.push('## Final normalized score', '');
  lines.push(row(['arm', 'runs', 'mean ± std', 'IQM [95 % CI]', ...tasks.map((t) => cell(t.label))]));
  lines.push(row(['---', '---:', '---:', '---:', ...tasks.map(() => '---:')]));
  for (const a of stats.arms) {
    const meanStd = a.mean === null ? '–' : Number.isNaN(a.std) ? `${f3(a.mean)} ± –` : `${f3(a.mean)} ± ${f3(a.std)}`;
    lines.push(row([cell(a.label), `${a.finished} of ${a.planned}`, meanStd, a.iqm === null ? '–' : interval(a.iqm), ...a.perTask.map((m) => (m === null ? '–' : f3(m)))]));
  }
  lines.push(
    '',
    'mean ± std: over all of the arm\'s finished runs (sample standard deviation). IQM: the mean of the middle half of those runs, ' +
      'all tasks pooled; its interval resamples runs within each task. Task columns: the mean over that task\'s finished runs.',
    '',
  );
  if (plots.iqm) lines.push(`![IQM of the final normalized score per arm with its 95 % CI](${IQM_PNG})`, '');

  lines.push('## Probability of improvement', '');
  if (stats.comparisons.length === 0) {
    lines.push('One arm only: nothing to compare.', '');
  } else {
    const partial = stats.comparisons.some((c) => c.tasks < tasks.length);
    lines.push(row(['X', 'Y', 'P(X > Y) [95 % CI]', ...(partial ? ['tasks compared'] : [])]));
    lines.push(row(['---', '---', '---:', ...(partial ? ['---:'] : [])]));
    for (const c of stats.comparisons) {
      lines.push(row([cell(c.xLabel), cell(c.yLabel), c.poi === null ? '– (no task where both finished)' : interval(c.poi), ...(partial ? [`${c.tasks} of ${tasks.length}`] : [])]));
    }
    lines.push(
      '',
      'P(X > Y): the chance that a run of X ends above a run of Y on the same task (ties count half), averaged over the tasks; ' +
        'P(Y > X) = 1 − P(X > Y). 0.5 is no difference; an interval that excludes 0.5 is evidence of one.',
      '',
    );
  }

  lines.push('## Learning curves', '');
  if (plots.curves) {
    lines.push(`![Learning curves of ${plan.study}: mean normalized score per arm with its 95 % CI, one panel per task](${CURVES_PNG})`, '', `Vector version: [${CURVES_SVG}](${CURVES_SVG}).`, '');
  } else {
    lines.push('No finished run yet: no curves.', '');
  }

  lines.push('## Missing runs', '');
  if (missing.length === 0) {
    lines.push('None: every planned run finished.', '');
  } else {
    lines.push(row(['run', 'state']), row(['---', '---']));
    for (const m of missing) lines.push(row([`\`${m.run.id}\``, cell(m.reason)]));
    lines.push('');
  }

  lines.push('## Regenerate', '', 'From the study directory:', '', '```', `imitate report . --reps ${reps} --seed ${seed}`, '```', '');
  return lines.join('\n');
}

/** The IQM interval plot of the arms that have finished runs, or null when none has. */
export function iqmPlotSpec(study: StudyRuns, stats: StudyStats): IntervalPlotSpec | null {
  const rows = stats.arms.flatMap((a, k) => (a.iqm === null ? [] : [{ label: a.label, ...a.iqm, color: armColor(k) }]));
  if (rows.length === 0) return null;
  return { title: `${study.plan.study} (${study.plan.profile}): IQM of the final normalized score, 95% CI`, xLabel: 'normalized score (1 = expert, 0 = random)', rows, vLines: [{ x: 1, label: 'expert' }] };
}

/** Writes a PNG and an SVG of a plot, or removes both when there is nothing to plot (no stale plots). */
async function writePlotPair(png: string, svg: string, render: { png: () => Buffer; svg: () => string } | null, written: string[]): Promise<boolean> {
  if (render === null) {
    rmSync(png, { force: true });
    rmSync(svg, { force: true });
    return false;
  }
  await writeFileAtomicAsync(png, render.png());
  await writeFileAtomicAsync(svg, render.svg());
  written.push(png, svg);
  return true;
}

/**
 * Writes report.md and the learning-curve plots into `studyDir` (each file atomically) from
 * whatever runs have finished. Throws naming the file when plan.json or an eval.csv is malformed.
 */
export async function writeStudyReport(studyDir: string, options: StudyReportOptions = {}): Promise<StudyReportResult> {
  const reps = options.reps ?? DEFAULT_REPS;
  if (!Number.isSafeInteger(reps) || reps < 1) throw new RangeError(`reps must be a positive integer, got ${reps}`);
  const seed = options.seed ?? DEFAULT_REPORT_SEED;
  assertSeed(seed, 'report seed');
  const study = loadStudyRuns(studyDir);
  const stats = studyStats(study, reps, seed);
  const figure = curvesFigure(study, reps, (arm, task) => reportStream(seed, `curve/${arm}/${task.key}`));
  const iqmSpec = iqmPlotSpec(study, stats);
  const plots: string[] = [];
  const at = (name: string) => path.join(studyDir, name);
  const curves = await writePlotPair(at(CURVES_PNG), at(CURVES_SVG), figure === null ? null : { png: () => renderFigurePng(figure), svg: () => renderFigureSvg(figure) }, plots);
  const iqm = await writePlotPair(at(IQM_PNG), at(IQM_SVG), iqmSpec === null ? null : { png: () => renderIntervalPng(iqmSpec), svg: () => renderIntervalSvg(iqmSpec) }, plots);
  const reportFile = at(REPORT_FILE);
  await writeFileAtomicAsync(reportFile, studyReportMarkdown(study, stats, reps, seed, { curves, iqm }));
  return { reportFile, plots, finished: study.finished.length, total: study.plan.runs.length };
}
