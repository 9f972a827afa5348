/**
 * What a study directory holds: its plan, and for every planned run either its result (final
 * normalized score and learning curve, when it finished) or why it has none. Runs are never
 * dropped silently: a report lists the missing ones next to the statistics of the finished ones.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runState } from '../ablate/execute.js';
import { readPlan, runDir, type RunPlan, type StudyPlan } from '../ablate/plan.js';
import { readEvalCsv } from './learning-curve.js';

/**
 * A task of the study: one env at one number of demonstrations. Statistics stratify over tasks
 * (rliable's tasks); with a single number of demonstrations in the plan a task is an env.
 */
export interface Task {
  key: string;
  env: string;
  numDemos: number;
  /** The env id, with the number of demonstrations when the plan has several. */
  label: string;
}

/** A finished run: its final normalized score and its evaluations. */
export interface RunResult {
  run: RunPlan;
  task: Task;
  /** normalized_score of the last row of eval.csv. */
  finalScore: number;
  steps: number[];
  scores: number[];
}

/** A planned run without a result, and why. */
export interface MissingRun {
  run: RunPlan;
  reason: string;
}

export interface StudyRuns {
  plan: StudyPlan;
  tasks: Task[];
  finished: RunResult[];
  missing: MissingRun[];
}

const EVAL_FILE = 'eval.csv';

/** The plan's tasks in plan order (envs as listed, then numbers of demonstrations ascending). */
export function studyTasks(plan: StudyPlan): Task[] {
  const demoCounts = [...new Set(plan.runs.map((r) => r.numDemos))].sort((a, b) => a - b);
  const several = demoCounts.length > 1;
  return plan.envs.flatMap((env) =>
    demoCounts
      .filter((n) => plan.runs.some((r) => r.env === env && r.numDemos === n))
      .map((n) => ({ key: several ? `${env}/demos${n}` : env, env, numDemos: n, label: several ? `${env}, ${n} demos` : env })),
  );
}

/** Checks the parts of plan.json a report relies on; throws naming the file and the field. */
function checkPlan(plan: StudyPlan, file: string): void {
  if (!Array.isArray(plan.arms) || plan.arms.some((a) => typeof a?.name !== 'string' || typeof a?.label !== 'string')) throw new Error(`${file}: 'arms' must be a list of {name, label}`);
  if (!Array.isArray(plan.envs) || plan.envs.some((e) => typeof e !== 'string')) throw new Error(`${file}: 'envs' must be a list of env ids`);
  const arms = new Set(plan.arms.map((a) => a.name));
  plan.runs.forEach((r, i) => {
    if (typeof r?.id !== 'string' || r.id === '') throw new Error(`${file}: runs[${i}] has no id`);
    if (!arms.has(r.arm)) throw new Error(`${file}: run ${r.id} has arm '${r.arm}', which is not in 'arms' (${[...arms].join(', ')})`);
    if (!plan.envs.includes(r.env)) throw new Error(`${file}: run ${r.id} has env '${r.env}', which is not in 'envs' (${plan.envs.join(', ')})`);
    if (!Number.isSafeInteger(r.numDemos)) throw new Error(`${file}: run ${r.id} has numDemos ${JSON.stringify(r.numDemos)}, expected an integer`);
  });
}

/**
 * A run's evaluations: steps and normalized scores. Throws naming the file when a column is
 * missing or a step is not a number.
 */
function readEvaluations(file: string): { steps: number[]; scores: number[] } {
  const cols = readEvalCsv(file);
  for (const c of ['step', 'normalized_score']) if (cols[c] === undefined) throw new Error(`${file}: no '${c}' column (a GAIL run's eval.csv has step,…,normalized_score)`);
  const steps = cols.step;
  steps.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new Error(`${file}: line ${i + 2}: step is not a number`);
    if (i > 0 && s <= steps[i - 1]) throw new Error(`${file}: line ${i + 2}: step ${s} does not follow step ${steps[i - 1]}`);
  });
  return { steps, scores: cols.normalized_score };
}

/** Reads a study directory: the plan, and the result or the state of every run. */
export function loadStudyRuns(studyDir: string): StudyRuns {
  const plan = readPlan(studyDir);
  checkPlan(plan, path.join(studyDir, 'plan.json'));
  const tasks = studyTasks(plan);
  const taskOf = (r: RunPlan) => tasks.find((t) => t.env === r.env && t.numDemos === r.numDemos)!;
  const finished: RunResult[] = [];
  const missing: MissingRun[] = [];
  for (const run of plan.runs) {
    const dir = runDir(studyDir, run);
    const evalFile = path.join(dir, EVAL_FILE);
    const evals = existsSync(evalFile) ? readEvaluations(evalFile) : null;
    const lastStep = evals !== null && evals.steps.length > 0 ? ` (last evaluation at step ${evals.steps[evals.steps.length - 1]} of ${run.steps})` : '';
    if (!existsSync(dir)) {
      missing.push({ run, reason: 'not started' });
      continue;
    }
    const state = runState(dir);
    if (state !== 'done') {
      missing.push({ run, reason: state === 'resumable' ? `unfinished, resumable from its checkpoint${lastStep}` : `unfinished, no checkpoint yet${lastStep}` });
      continue;
    }
    if (evals === null) {
      missing.push({ run, reason: `finished, but ${EVAL_FILE} is missing` });
      continue;
    }
    const finalScore = evals.scores[evals.scores.length - 1];
    if (evals.steps.length === 0 || !Number.isFinite(finalScore)) {
      missing.push({ run, reason: `finished, but ${EVAL_FILE} has no normalized score at its last evaluation` });
      continue;
    }
    finished.push({ run, task: taskOf(run), finalScore, ...evals });
  }
  return { plan, tasks, finished, missing };
}
