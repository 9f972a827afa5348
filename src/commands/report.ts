/**
 * `imitate report DIR`: the statistical report of an ablation study directory (written by
 * `imitate ablate`): report.md with IQM, bootstrap intervals and probabilities of improvement,
 * and the learning curves, from whatever runs have finished.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PLAN_FILE } from '../ablate/plan.js';
import { writeStudyReport } from '../report/study-report.js';
import { DEFAULT_REPS } from '../report/stats.js';
import { CliError, parseOption, positiveInt, seedValue } from './options.js';

export interface ReportCommandOptions {
  reps?: string | number;
  seed?: string | number;
}

export async function reportCommand(dir: string, opts: ReportCommandOptions, out: (line: string) => void): Promise<void> {
  const reps = parseOption('--reps', positiveInt, opts.reps ?? DEFAULT_REPS);
  const seed = parseOption('--seed', seedValue, opts.seed ?? 0);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir}: no such directory`);
  if (!existsSync(path.join(dir, PLAN_FILE))) throw new CliError(`${dir} is not a study directory: it has no ${PLAN_FILE} (make one with imitate ablate)`);
  let result: Awaited<ReturnType<typeof writeStudyReport>>;
  try {
    result = await writeStudyReport(dir, { reps, seed });
  } catch (e) {
    // Malformed inputs (plan.json, an eval.csv) are the user's data: one line naming the file.
    throw new CliError((e as Error).message, { cause: e });
  }
  out(`${result.finished} of ${result.total} runs finished`);
  out(`report: ${result.reportFile}`);
  for (const p of result.plots) out(`plot: ${p}`);
}
