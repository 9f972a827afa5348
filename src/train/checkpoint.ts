/**
 * Checkpoints of a run: `checkpoints/step-<N>-<id>/` holds `learner/` (the learner's
 * saveState), `buffer/` (the replay buffer's saveTo) and `loop.json` (the loop's counters,
 * statistics and random-stream states); `checkpoints/latest.json` names the current one.
 *
 * A checkpoint is built under `checkpoints/tmp-…`, renamed to its final name once complete, and
 * only then does `latest.json` (itself written atomically) point to it; older checkpoints are
 * removed afterwards. A crash at any moment therefore leaves `latest.json` naming a complete
 * checkpoint (or no checkpoint at all), never a half-written one.
 *
 * Checkpoints are taken at episode boundaries only, so no environment state is saved: the next
 * episode's reset seed is drawn from the saved 'env' stream, which makes the env's whole future
 * a function of the loop state.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from './files.js';

/** A float that may be NaN or ±Infinity (JSON has no literal for them: written as strings). */
const float = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);
const int = z.number().int().min(0);
const rngState = z.strictObject({ a: z.number().int(), b: z.number().int(), c: z.number().int(), d: z.number().int(), spare: z.number().nullable() });

export const evalResultSchema = z.strictObject({
  step: int,
  returnMean: float,
  returnStd: float,
  returnMin: float,
  returnMax: float,
  lengthMean: float,
  returns: z.array(float),
  lengths: z.array(int),
});

/** One evaluation: `episodes` runs of the deterministic policy. */
export type EvalResult = z.infer<typeof evalResultSchema>;

export const loopStateSchema = z.strictObject({
  version: z.literal(1),
  algo: z.string(),
  env: z.string(),
  seed: int,
  /** Env steps taken. */
  step: int,
  episodes: int,
  /** Gradient steps taken. */
  updates: int,
  /** States of the loop's random streams ('learner' is the stream handed to the learner). */
  rng: z.strictObject({ env: rngState, explore: rngState, buffer: rngState, learner: rngState, extension: rngState.optional() }),
  /** Returns and lengths of the last (up to 100) episodes, for metrics.csv. */
  recentReturns: z.array(float),
  recentLengths: z.array(int),
  /** Learner metrics summed since the last metrics.csv row, with how many updates gave each. */
  metricSums: z.record(z.string(), float),
  metricCounts: z.record(z.string(), int),
  /** Learner metric names seen so far (metrics.csv columns). */
  metricKeys: z.array(z.string()),
  lastEval: evalResultSchema.nullable(),
  bestEval: evalResultSchema.nullable(),
  /** Step at or after which the next periodic checkpoint is due. */
  nextCheckpointAt: int,
  /** Wall-clock seconds spent up to this checkpoint, over all sessions of the run. */
  elapsedSeconds: z.number().min(0),
});

export type LoopState = z.infer<typeof loopStateSchema>;

const pointerSchema = z.strictObject({ dir: z.string().regex(/^step-\d+-[0-9a-f]+$/), step: int });

export const LEARNER_DIR = 'learner';
export const BUFFER_DIR = 'buffer';
/** The training extension's state (GAIL's discriminator, ...), when the run has one. */
export const EXTENSION_DIR = 'extension';
export const LOOP_FILE = 'loop.json';
export const POINTER_FILE = 'latest.json';

/** A loaded checkpoint: where it is and its loop state. */
export interface Checkpoint {
  dir: string;
  state: LoopState;
}

/** Where the run's checkpoints live. */
export function checkpointsDir(runDir: string): string {
  return path.join(runDir, 'checkpoints');
}

/**
 * Writes a checkpoint: `fill(dir)` writes the learner and buffer into the temporary directory,
 * then `loop.json` is written, the directory renamed into place and `latest.json` updated.
 */
export async function writeCheckpoint(runDir: string, state: LoopState, fill: (dir: string) => Promise<void>): Promise<string> {
  const root = checkpointsDir(runDir);
  mkdirSync(root, { recursive: true });
  const name = `step-${state.step}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(root, `tmp-${name}`);
  try {
    mkdirSync(tmp);
    await fill(tmp);
    writeJsonAtomic(path.join(tmp, LOOP_FILE), encodeFloats(state));
    renameSync(tmp, path.join(root, name));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  writeJsonAtomic(path.join(root, POINTER_FILE), { dir: name, step: state.step });
  for (const entry of readdirSync(root)) {
    if (entry !== name && /^(tmp-)?step-\d+-/.test(entry)) rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  return path.join(root, name);
}

/** Reads the latest checkpoint of a run; every error names the file at fault. */
export function readCheckpoint(runDir: string): Checkpoint {
  const root = checkpointsDir(runDir);
  const pointerFile = path.join(root, POINTER_FILE);
  if (!existsSync(pointerFile)) throw new Error(`cannot resume ${runDir}: no checkpoint (${pointerFile} not found)`);
  const pointer = pointerSchema.safeParse(readJsonFile(pointerFile, 'checkpoint pointer'));
  if (!pointer.success) throw new Error(`checkpoint pointer ${pointerFile}: ${issues(pointer.error)}`);
  const dir = path.join(root, pointer.data.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`checkpoint pointer ${pointerFile} names ${dir}, which does not exist`);
  for (const sub of [LEARNER_DIR, BUFFER_DIR]) {
    if (!existsSync(path.join(dir, sub))) throw new Error(`checkpoint ${dir} is incomplete: ${path.join(dir, sub)} not found`);
  }
  const loopFile = path.join(dir, LOOP_FILE);
  const state = loopStateSchema.safeParse(readJsonFile(loopFile, 'checkpoint loop state'));
  if (!state.success) throw new Error(`checkpoint loop state ${loopFile}: ${issues(state.error)}`);
  if (state.data.step !== pointer.data.step) {
    throw new Error(`checkpoint loop state ${loopFile}: step ${state.data.step} does not match ${pointer.data.step} in ${pointerFile}`);
  }
  return { dir, state: state.data };
}

/** JSON has no NaN or Infinity: they are written as strings and read back by the schema. */
function encodeFloats(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(encodeFloats);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeFloats(v)]));
  return value;
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? `field '${i.path.join('.')}'` : 'content'}: ${i.message}`).join('; ');
}
