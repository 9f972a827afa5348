/**
 * The numbers of a study report: per arm the final normalized scores' mean ± std, IQM with its
 * stratified-bootstrap interval and per-task means; per pair of arms the probability of
 * improvement with its interval. Every bootstrap draws from its own named stream of one seed, so
 * a report is reproducible and one arm's numbers do not depend on which other arms exist.
 */
import { Rng } from '../rng.js';
import { iqmInterval, probabilityOfImprovementInterval, sampleMeanStd, type Interval, type Strata } from './stats.js';
import type { StudyRuns, Task } from './study-runs.js';

/** One arm's final scores, summarised. */
export interface ArmSummary {
  name: string;
  label: string;
  planned: number;
  finished: number;
  /** Over all finished runs (null without any); std is NaN with a single run. */
  mean: number | null;
  std: number;
  iqm: Interval | null;
  /** Mean final score per task, in the study's task order (null: no finished run there). */
  perTask: (number | null)[];
}

/** P(X > Y) of two arms over the tasks where both have finished runs. */
export interface Comparison {
  x: string;
  y: string;
  xLabel: string;
  yLabel: string;
  /** Tasks compared (where both arms have finished runs). */
  tasks: number;
  poi: Interval | null;
}

export interface StudyStats {
  arms: ArmSummary[];
  comparisons: Comparison[];
}

/** The random stream of one quantity of the report: `report/<what>`, under `seed`. */
export const reportStream = (seed: number, what: string): Rng => new Rng(seed).stream('report').stream(what);

/** Final scores of `arm` as strata over `tasks` (empty strata where it has no finished run). */
function strataOf(study: StudyRuns, arm: string, tasks: readonly Task[]): number[][] {
  return tasks.map((t) => study.finished.filter((r) => r.run.arm === arm && r.task.key === t.key).map((r) => r.finalScore));
}

/** Summaries of every arm and the probability of improvement of every pair (in plan order). */
export function studyStats(study: StudyRuns, reps: number, seed: number): StudyStats {
  const { plan, tasks } = study;
  const arms = plan.arms.map((arm): ArmSummary => {
    const strata = strataOf(study, arm.name, tasks);
    const scores = strata.flat();
    const present: Strata = strata.filter((s) => s.length > 0);
    const ms = scores.length > 0 ? sampleMeanStd(scores) : null;
    return {
      name: arm.name,
      label: arm.label,
      planned: plan.runs.filter((r) => r.arm === arm.name).length,
      finished: scores.length,
      mean: ms?.mean ?? null,
      std: ms?.std ?? Number.NaN,
      iqm: scores.length > 0 ? iqmInterval(present, { rng: reportStream(seed, `iqm/${arm.name}`), reps }) : null,
      perTask: strata.map((s) => (s.length > 0 ? s.reduce((a, b) => a + b, 0) / s.length : null)),
    };
  });
  const comparisons: Comparison[] = [];
  plan.arms.forEach((x, i) => {
    plan.arms.slice(i + 1).forEach((y) => {
      const xs = strataOf(study, x.name, tasks);
      const ys = strataOf(study, y.name, tasks);
      const both = tasks.map((_, k) => k).filter((k) => xs[k].length > 0 && ys[k].length > 0);
      const poi = both.length === 0 ? null : probabilityOfImprovementInterval(both.map((k) => xs[k]), both.map((k) => ys[k]), { rng: reportStream(seed, `poi/${x.name}/${y.name}`), reps });
      comparisons.push({ x: x.name, y: y.name, xLabel: x.label, yLabel: y.label, tasks: both.length, poi });
    });
  });
  return { arms, comparisons };
}
