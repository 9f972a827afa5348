/**
 * A study's plan: every run of arms × envs × numbers of demos × seeds, with the exact `imitate`
 * command line of each, written as `plan.json` in the study directory. Every executor (local pool,
 * Slurm array task) reads the same plan, so a run is the same command wherever it executes.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../train/files.js';
import type { Profile } from './profiles.js';
import type { Study } from './studies.js';

export const PLAN_FILE = 'plan.json';
export const RUNS_DIR = 'runs';

/** One run of a study. `dir` is relative to the study directory. */
export interface RunPlan {
  /** `<arm>/<env>/demos<n>/seed<s>`: also the run directory under runs/. */
  id: string;
  arm: string;
  env: string;
  numDemos: number;
  seed: number;
  steps: number;
  /** `imitate` arguments of a fresh run, without `--out` (the executor adds it). */
  args: string[];
}

export interface StudyPlan {
  study: string;
  description: string;
  profile: string;
  arms: { name: string; label: string }[];
  envs: string[];
  runs: RunPlan[];
}

export interface PlanOptions {
  /** Where `<env>/demos.h5` files are found (the shipped experts/ by default). */
  demosDir: string;
  /** Seeds instead of the profile's. */
  seeds?: readonly number[];
  /** Envs (a subset of the profile's) instead of all of them. */
  envs?: readonly string[];
  /** `--set` assignments (key=value) for every run, after the profile's and the arm's. */
  sets?: readonly string[];
}

/** Expands `study` under `profile` into its runs. Throws naming an env without demonstrations. */
export function planStudy(study: Study, profile: Profile, options: PlanOptions): StudyPlan {
  const envs = options.envs === undefined ? profile.envs : options.envs.map((id) => {
    const e = profile.envs.find((p) => p.env === id);
    if (e === undefined) throw new Error(`env ${id} is not in profile '${profile.name}' (${profile.envs.map((p) => p.env).join(', ')})`);
    return e;
  });
  const seeds = options.seeds ?? profile.seeds;
  const runs: RunPlan[] = [];
  for (const e of envs) {
    const demos = path.resolve(options.demosDir, e.env, 'demos.h5');
    if (!existsSync(demos)) throw new Error(`study ${study.name}, profile ${profile.name}: no demonstrations for ${e.env} at ${demos}; make them with \`imitate collect\` and pass --demos-dir DIR (holding <env>/demos.h5)`);
    for (const a of study.arms) {
      const learner = a.args.includes('--learner') ? [] : ['--learner', profile.learner];
      for (const n of profile.numDemos) {
        for (const seed of seeds) {
          const args = ['gail', '--env', e.env, '--demos', demos, '--num-demos', `${n}`, ...learner, '--steps', `${e.steps}`, '--seed', `${seed}`, ...e.sets.map((s) => `--set=${s}`), ...a.args, ...(options.sets ?? []).map((s) => `--set=${s}`), '--quiet'];
          runs.push({ id: `${a.name}/${e.env}/demos${n}/seed${seed}`, arm: a.name, env: e.env, numDemos: n, seed, steps: e.steps, args });
        }
      }
    }
  }
  return { study: study.name, description: study.description, profile: profile.name, arms: study.arms.map(({ name, label }) => ({ name, label })), envs: envs.map((e) => e.env), runs };
}

/**
 * Writes the plan into the study directory and returns what the directory now holds. A directory
 * accumulates runs: a plan with more seeds or envs than the one already there extends it (so the
 * executors bring every run of the union to completion); a run already planned must have the same
 * command line, else the study or profile changed and this is an error.
 */
export function savePlan(studyDir: string, plan: StudyPlan): StudyPlan {
  const file = path.join(studyDir, PLAN_FILE);
  let merged = plan;
  if (existsSync(file)) {
    const old = readPlan(studyDir);
    if (old.study !== plan.study || old.profile !== plan.profile) {
      throw new Error(`${file} holds study ${old.study}, profile ${old.profile}, not ${plan.study}, ${plan.profile}; use another --out`);
    }
    const planned = new Map(old.runs.map((r) => [r.id, r]));
    for (const r of plan.runs) {
      const o = planned.get(r.id);
      if (o !== undefined && JSON.stringify(o) !== JSON.stringify(r)) {
        throw new Error(`${file} has run ${r.id} with other arguments (the study's definition changed since it was planned); use another --out, or delete the directory to start over`);
      }
    }
    const union = <T>(a: T[], b: T[], key: (x: T) => string) => [...a, ...b.filter((x) => !a.some((y) => key(y) === key(x)))];
    merged = {
      ...old,
      arms: union(old.arms, plan.arms, (x) => x.name),
      envs: union(old.envs, plan.envs, (x) => x),
      runs: union(old.runs, plan.runs, (x) => x.id),
    };
    if (merged.runs.length === old.runs.length && JSON.stringify(merged) === JSON.stringify(old)) return old;
  } else {
    mkdirSync(studyDir, { recursive: true });
  }
  writeJsonAtomic(file, merged);
  return merged;
}

/** Reads a study directory's plan.json. */
export function readPlan(studyDir: string): StudyPlan {
  const file = path.join(studyDir, PLAN_FILE);
  if (!existsSync(file)) throw new Error(`${studyDir} is not a study directory: ${file} not found`);
  const plan = readJsonFile(file, 'study plan') as StudyPlan;
  if (!Array.isArray(plan.runs) || typeof plan.study !== 'string') throw new Error(`${file}: not a study plan (no study name or runs list)`);
  return plan;
}

/** A run's directory. */
export const runDir = (studyDir: string, run: RunPlan) => path.join(studyDir, RUNS_DIR, run.id);
