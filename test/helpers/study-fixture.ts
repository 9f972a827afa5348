/**
 * Fabricated ablation-study directories for the report tests: plan.json as `imitate ablate`
 * writes it, and per run the files a training run leaves (eval.csv, summary.json, a checkpoint
 * pointer), with final scores chosen by the test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunPlan, StudyPlan } from '../../src/ablate/plan.js';

/** How a fabricated run ends: finished with these scores per evaluation, unfinished, or absent. */
export type FakeRun =
  | { state: 'finished'; scores: number[] }
  | { state: 'unfinished'; scores: number[]; checkpoint: boolean }
  | { state: 'absent' };

export interface FakeStudy {
  arms: { name: string; label: string }[];
  envs: string[];
  seeds: number[];
  /** Evaluation every `evalEvery` steps; a finished run has steps / evalEvery rows. */
  steps: number;
  evalEvery: number;
  /** The run of (arm, env, seed). */
  run: (arm: string, env: string, seed: number) => FakeRun;
}

const HEADER = 'step,return_mean,return_std,return_min,return_max,length_mean,normalized_score';

/** eval.csv with one row per score, at evalEvery, 2·evalEvery, …; returns consistent with the score. */
export function evalCsv(scores: readonly number[], evalEvery: number): string {
  const rows = scores.map((s, i) => `${(i + 1) * evalEvery},${-1000 + 900 * s},10,${-1010 + 900 * s},${-990 + 900 * s},200,${s}`);
  return `${[HEADER, ...rows].join('\n')}\n`;
}

/** Writes the study into `dir`; returns its plan. */
export function writeFakeStudy(dir: string, study: FakeStudy): StudyPlan {
  const runs: RunPlan[] = [];
  for (const env of study.envs) {
    for (const arm of study.arms) {
      for (const seed of study.seeds) {
        const id = `${arm.name}/${env}/demos1/seed${seed}`;
        runs.push({ id, arm: arm.name, env, numDemos: 1, seed, steps: study.steps, args: ['gail', '--env', env, '--seed', `${seed}`, '--quiet'] });
        const fake = study.run(arm.name, env, seed);
        if (fake.state === 'absent') continue;
        const runDir = path.join(dir, 'runs', id);
        mkdirSync(runDir, { recursive: true });
        writeFileSync(path.join(runDir, 'eval.csv'), evalCsv(fake.scores, study.evalEvery));
        if (fake.state === 'finished') writeFileSync(path.join(runDir, 'summary.json'), JSON.stringify({ steps: study.steps }));
        else if (fake.checkpoint) {
          mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
          writeFileSync(path.join(runDir, 'checkpoints', 'latest.json'), JSON.stringify({ dir: 'step-100', step: 100 }));
        }
      }
    }
  }
  const plan: StudyPlan = { study: 'fake', description: 'a fabricated study for the tests', profile: 'test', arms: study.arms, envs: study.envs, runs };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  return plan;
}

/** Final scores of the standard test study (see study-report.test.ts for the numbers they give). */
export const FINAL: Record<string, Record<string, (number | null)[]>> = {
  a: { 'EnvA-v0': [0.9, null, 0.7], 'EnvB-v0': [0.5, 0.6, 0.4] },
  b: { 'EnvA-v0': [0.2, 0.3, 0.9], 'EnvB-v0': [0.1, 0.2, null] },
};

/**
 * Two arms × two envs × three seeds; a/EnvA-v0/seed1 is unfinished with a checkpoint and
 * b/EnvB-v0/seed2 never started. Curves rise to the final score over three evaluations.
 */
export function standardStudy(dir: string): StudyPlan {
  return writeFakeStudy(dir, {
    arms: [
      { name: 'a', label: 'Arm A' },
      { name: 'b', label: 'Arm B | pipes' },
    ],
    envs: ['EnvA-v0', 'EnvB-v0'],
    seeds: [0, 1, 2],
    steps: 300,
    evalEvery: 100,
    run: (arm, env, seed) => {
      const final = FINAL[arm][env][seed];
      if (final !== null) return { state: 'finished', scores: [0.2 * final, 0.6 * final, final] };
      return arm === 'a' ? { state: 'unfinished', scores: [0.1], checkpoint: true } : { state: 'absent' };
    },
  });
}
