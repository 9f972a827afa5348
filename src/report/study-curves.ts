/**
 * A study's learning curves: one panel per task (env), in each the mean normalized score of every
 * arm's finished runs at each evaluation step, with a 95 % bootstrap band over the runs.
 */
import type { Rng } from '../rng.js';
import { PALETTE, type FigureSpec, type Rgb, type Series } from './line-plot.js';
import { meanInterval } from './stats.js';
import type { RunResult, StudyRuns, Task } from './study-runs.js';

/** An arm's curve on one task: per step, the mean over runs and its interval. */
export interface CurvePoints {
  steps: number[];
  mean: number[];
  lo: number[];
  hi: number[];
  /** Runs evaluated at each step. */
  runs: number[];
}

/**
 * The mean curve of `runs` (one arm, one task). Every step at which some run was evaluated is a
 * point; its mean and band come from the runs with a score there (runs of one study share their
 * evaluation steps, so this is all of them unless a run's evaluation failed).
 */
export function meanCurve(runs: readonly RunResult[], rng: Rng, reps: number): CurvePoints {
  const steps = [...new Set(runs.flatMap((r) => r.steps))].sort((a, b) => a - b);
  const out: CurvePoints = { steps: [], mean: [], lo: [], hi: [], runs: [] };
  for (const step of steps) {
    const values: number[] = [];
    for (const r of runs) {
      const i = r.steps.indexOf(step);
      if (i >= 0 && Number.isFinite(r.scores[i])) values.push(r.scores[i]);
    }
    if (values.length === 0) continue;
    const { point, lo, hi } = meanInterval([values], { rng, reps });
    out.steps.push(step);
    out.mean.push(point);
    out.lo.push(lo);
    out.hi.push(hi);
    out.runs.push(values.length);
  }
  return out;
}

/** An arm's colour: fixed by its place in the plan, so it is the same in every panel and plot. */
export const armColor = (index: number): Rgb => PALETTE[index % PALETTE.length];

/**
 * The learning-curve figure of a study. `streamFor(arm, task)` gives each curve its own random
 * stream, so adding an arm or a task leaves the other curves' bands unchanged.
 */
export function curvesFigure(study: StudyRuns, reps: number, streamFor: (arm: string, task: Task) => Rng): FigureSpec | null {
  const { plan, tasks, finished } = study;
  const panels = tasks.flatMap((task) => {
    const series: Series[] = [];
    plan.arms.forEach((arm, k) => {
      const runs = finished.filter((r) => r.run.arm === arm.name && r.task.key === task.key);
      if (runs.length === 0) return;
      const c = meanCurve(runs, streamFor(arm.name, task), reps);
      if (c.steps.length > 0) series.push({ label: arm.label, x: c.steps, y: c.mean, lo: c.lo, hi: c.hi, color: armColor(k) });
    });
    if (series.length === 0) return [];
    return [{ title: task.label, xLabel: 'env steps', yLabel: 'normalized score (mean over runs, 95% CI)', series, hLines: [{ y: 1, label: 'expert' }] }];
  });
  if (panels.length === 0) return null;
  return {
    title: `${plan.study} (${plan.profile}): learning curves`,
    panels,
    legend: plan.arms.flatMap((a, k) => (finished.some((r) => r.run.arm === a.name) ? [{ label: a.label, color: armColor(k) }] : [])),
  };
}
