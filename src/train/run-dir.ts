/**
 * The run directory, `runs/<name>/` or `--out DIR`:
 *
 * - `config.json`: the fully resolved config (loop and learner), written before anything else;
 * - `metrics.csv`: one row per `logEvery` steps (and one at the end);
 * - `eval.csv`: one row per evaluation;
 * - `summary.json`: final and best evaluation, steps, wall time, steps/s;
 * - `checkpoints/`: the latest checkpoint (see checkpoint.ts);
 * - `policy/`: the final deterministic policy (the learner's savePolicy) and `env.json`, the env
 *   it was trained on with both spaces, so `imitate eval` can check and rescale actions.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Learner } from '../learner.js';
import { spaceFromJSON, type Box, type Space, type SpaceJSON } from '../spaces.js';
import { readJsonFile, tempName, writeJsonAtomic } from './files.js';

export const CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.csv';
export const EVAL_FILE = 'eval.csv';
export const SUMMARY_FILE = 'summary.json';
export const POLICY_DIR = 'policy';
export const ENV_INFO_FILE = 'env.json';

/** What `policy/env.json` records of the env a policy was trained on. */
export interface EnvInfo {
  env: string;
  envKwargs: Record<string, unknown>;
  maxEpisodeSteps: number | null;
  observationSpace: SpaceJSON;
  /** The env's own action space; the policy acts in [−1, 1] and is rescaled onto it. */
  actionSpace: SpaceJSON;
  policyActionRange: [number, number];
}

/** `runs/<algo>-<env>-seed<seed>`, with `-2`, `-3`, ... when that name already holds a run. */
export function defaultRunDir(config: { algo: string; env: string; seed: number }, root = 'runs'): string {
  const base = path.join(root, `${config.algo}-${config.env.replace(/[^\w.-]+/g, '_')}-seed${config.seed}`);
  let dir = base;
  for (let i = 2; existsSync(path.join(dir, CONFIG_FILE)); i++) dir = `${base}-${i}`;
  return dir;
}

/** Throws when `dir` already holds a run (it would be overwritten); creates it otherwise. */
export function prepareNewRunDir(dir: string): void {
  const config = path.join(dir, CONFIG_FILE);
  if (existsSync(config)) {
    throw new Error(`run directory ${dir} already holds a run (${config}); continue it with --resume ${dir}, or choose another --out`);
  }
  mkdirSync(dir, { recursive: true });
}

/** Writes `policy/` whole: into a temporary directory first, then swapped in. */
export async function writePolicyDir(runDir: string, learner: Pick<Learner, 'savePolicy'>, info: EnvInfo): Promise<string> {
  const final = path.join(runDir, POLICY_DIR);
  const tmp = tempName(final);
  mkdirSync(tmp, { recursive: true });
  try {
    await learner.savePolicy(tmp);
    writeJsonAtomic(path.join(tmp, ENV_INFO_FILE), info);
    if (existsSync(final)) {
      const old = tempName(final, 'old');
      renameSync(final, old);
      renameSync(tmp, final);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, final);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  // Leftovers of an interrupted swap.
  for (const entry of readdirSync(runDir)) {
    if (/^(tmp|old)-policy-/.test(entry)) rmSync(path.join(runDir, entry), { recursive: true, force: true });
  }
  return final;
}

const envInfoSchema = z.object({
  env: z.string(),
  envKwargs: z.record(z.string(), z.unknown()).default({}),
  maxEpisodeSteps: z.number().int().positive().nullable().default(null),
  observationSpace: z.unknown(),
  actionSpace: z.unknown(),
});

/** Reads `policy/env.json`; errors name the file. */
export function readEnvInfo(policyDir: string): { env: string; envKwargs: Record<string, unknown>; maxEpisodeSteps: number | null; observationSpace: Space; actionSpace: Box } {
  const file = path.join(policyDir, ENV_INFO_FILE);
  const parsed = envInfoSchema.safeParse(readJsonFile(file, 'policy env info'));
  if (!parsed.success) throw new Error(`policy env info ${file}: ${parsed.error.issues.map((i) => `field '${i.path.join('.')}': ${i.message}`).join('; ')}`);
  let observationSpace: Space;
  let actionSpace: Space;
  try {
    observationSpace = spaceFromJSON(parsed.data.observationSpace);
    actionSpace = spaceFromJSON(parsed.data.actionSpace);
  } catch (e) {
    throw new Error(`policy env info ${file}: ${(e as Error).message}`);
  }
  if (actionSpace.type !== 'Box') throw new Error(`policy env info ${file}: the action space must be a Box, got ${actionSpace}`);
  return { ...parsed.data, observationSpace, actionSpace };
}
