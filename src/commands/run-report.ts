/** The end of a training command's output: the final normalized score (when the run has one) and the learning-curve plot. */
import path from 'node:path';
import { readEvalCsv, writeLearningCurve } from '../report/learning-curve.js';

/** Ends a run's output with its final normalized score and the learning-curve plot. */
export async function reportRun(dir: string, title: string, out: (line: string) => void): Promise<void> {
  const evals = readEvalCsv(path.join(dir, 'eval.csv'));
  const scores = evals.normalized_score ?? [];
  if (scores.length > 0) {
    const last = scores[scores.length - 1];
    const best = Math.max(...scores.filter(Number.isFinite));
    out(`normalized score: ${(100 * last).toFixed(1)} % at the final evaluation (best ${(100 * best).toFixed(1)} %); 100 % = the demonstrations' return, 0 % = a random policy's`);
  }
  const png = await writeLearningCurve(dir, title);
  if (png !== null) out(`learning curve: ${png}`);
}

