/**
 * The local executor: a pool of `workers` child processes, one run each, over a study's plan.
 * Rerunning it skips finished runs and resumes interrupted ones from their checkpoints
 * (src/ablate/execute.ts), so a sweep killed mid-way loses nothing finished.
 */
import { executeRun, type RunOutcome } from './execute.js';
import type { RunPlan, StudyPlan } from './plan.js';

export interface PoolOptions {
  workers: number;
  log: (line: string) => void;
  /** Stops starting runs and kills the running ones. */
  signal?: AbortSignal;
}

export interface PoolResult {
  done: number;
  skipped: number;
  /** Runs another executor held (their lock's process is alive). */
  busy: number;
  failed: { run: RunPlan; code: number | null }[];
}

/** Runs every unfinished run of `plan`, `workers` at a time. */
export async function runLocalPool(studyDir: string, plan: StudyPlan, options: PoolOptions): Promise<PoolResult> {
  const result: PoolResult = { done: 0, skipped: 0, busy: 0, failed: [] };
  const total = plan.runs.length;
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < total && options.signal?.aborted !== true) {
      const run = plan.runs[next++];
      const outcome: RunOutcome = await executeRun(studyDir, run, { signal: options.signal });
      finished++;
      const where = `[${finished}/${total}] ${run.id}`;
      if (outcome.action === 'skipped') {
        result.skipped++;
      } else if (outcome.action === 'busy') {
        result.busy++;
        options.log(`${where}: being run by another executor; left to it`);
      } else if (outcome.code === 0) {
        result.done++;
        options.log(`${where}: ${outcome.action === 'resumed' ? 'resumed and finished' : 'finished'} in ${outcome.seconds.toFixed(0)} s`);
      } else {
        result.failed.push({ run, code: outcome.code });
        options.log(`${where}: FAILED (${outcome.code === null ? 'killed' : `exit ${outcome.code}`}); see its run.log`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, total)) }, worker));
  return result;
}
