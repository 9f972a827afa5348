/**
 * Opening a training session: a new run (validate the config, build envs, learner and buffer,
 * then create the run directory and write config.json first) or a resumed one (read
 * config.json and the latest checkpoint, restore learner, buffer, random streams, counters and
 * CSV rows). Everything is validated before anything is written, so a bad config or a missing or
 * corrupt checkpoint fails with an error naming the file and leaves the run directory untouched.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ReplayBuffer } from '../buffer.js';
import { algorithm, type AlgorithmEntry, type Learner } from '../learner.js';
import { Rng } from '../rng.js';
import { BUFFER_DIR, EXTENSION_DIR, LEARNER_DIR, LOOP_FILE, readCheckpoint, type EvalResult } from './checkpoint.js';
import { ConfigError, parseLoopConfig, type LoopConfig, type LoopConfigInput } from './config.js';
import { makeTrainingEnvs, type TrainingEnvs } from './env-setup.js';
import { trainingExtension, type TrainingExtension } from './extension.js';
import { readJsonFile, writeJsonAtomic } from './files.js';
import { RunStats } from './metrics.js';
import { CONFIG_FILE, defaultRunDir, prepareNewRunDir } from './run-dir.js';

/**
 * The run's random streams, all derived from its seed by name: 'env' draws each episode's reset
 * seed, 'explore' the random actions before `learningStarts`, 'buffer' the sampled indices,
 * 'learner' is the learner's own stream, and each evaluation at step s uses 'eval/step-s'.
 */
export interface Streams {
  env: Rng;
  explore: Rng;
  buffer: Rng;
  learner: Rng;
  evalRoot: Rng;
  /** The training extension's own stream (it saves its state itself). */
  extension: Rng;
}

/** Counters and results that a checkpoint carries besides the learner, buffer and streams. */
export interface Progression {
  step: number;
  episodes: number;
  updates: number;
  nextCheckpointAt: number;
  lastEval: EvalResult | null;
  bestEval: EvalResult | null;
  /** Wall-clock seconds of earlier sessions. */
  elapsedBefore: number;
}

export interface Session {
  dir: string;
  config: LoopConfig;
  learner: Learner;
  buffer: ReplayBuffer;
  /** The config's training extension (GAIL, ...), or null for plain RL. */
  extension: TrainingExtension | null;
  envs: TrainingEnvs;
  streams: Streams;
  stats: RunStats;
  progression: Progression;
  /** The checkpoint step a resumed session starts from, else null. */
  resumedFrom: number | null;
}

export function makeStreams(seed: number): Streams {
  const root = new Rng(seed);
  return { env: root.stream('env'), explore: root.stream('explore'), buffer: root.stream('buffer'), learner: root.stream('learner'), evalRoot: root.stream('eval'), extension: root.stream('extension') };
}

/** Starts a new run in `dir` (default `runs/<algo>-<env>-seed<seed>`). */
export async function openNewSession(input: LoopConfigInput, dir: string | undefined): Promise<Session> {
  const parsed = parseLoopConfig(input, 'train config');
  const entry = algorithm(parsed.algo);
  const config: LoopConfig = { ...parsed, learner: parseLearnerConfig(entry, parsed.learner, 'config.learner'), extension: parseExtensionConfig(parsed.extension, 'config.extension') };
  const runDir = dir ?? defaultRunDir(config);
  if (existsSync(path.join(runDir, CONFIG_FILE))) prepareNewRunDir(runDir); // throws, naming the run
  const envs = makeTrainingEnvs(config);
  const streams = makeStreams(config.seed);
  let learner: Learner | undefined;
  let extension: TrainingExtension | null = null;
  try {
    learner = entry.create(config.learner, { obsDim: envs.obsDim, actDim: envs.actDim, rng: streams.learner });
    extension = await createExtension(config, envs, streams);
    const buffer = new ReplayBuffer({ capacity: config.bufferSize, obsDim: envs.obsDim, actDim: envs.actDim });
    prepareNewRunDir(runDir);
    writeJsonAtomic(path.join(runDir, CONFIG_FILE), config);
    const progression = { step: 0, episodes: 0, updates: 0, nextCheckpointAt: config.checkpointEvery, lastEval: null, bestEval: null, elapsedBefore: 0 };
    return { dir: runDir, config, learner, buffer, extension, envs, streams, stats: new RunStats(), progression, resumedFrom: null };
  } catch (e) {
    extension?.dispose();
    learner?.dispose();
    envs.close();
    throw e;
  }
}

/** Reopens the run in `dir` at its latest checkpoint; `steps` replaces the step target. */
export async function openResumedSession(dir: string, steps: number | undefined): Promise<Session> {
  const configFile = path.join(dir, CONFIG_FILE);
  if (!existsSync(configFile)) throw new Error(`cannot resume ${dir}: ${configFile} not found (is it a run directory?)`);
  let config = parseLoopConfig(readJsonFile(configFile, 'run config'), configFile);
  const stepsChanged = steps !== undefined && steps !== config.steps;
  if (steps !== undefined) {
    if (!Number.isSafeInteger(steps) || steps < 1) throw new ConfigError(`resume ${dir}: steps must be a positive integer, got ${steps}`);
    config = { ...config, steps };
  }
  const entry = algorithm(config.algo);
  config = { ...config, learner: parseLearnerConfig(entry, config.learner, `${configFile}: learner`), extension: parseExtensionConfig(config.extension, `${configFile}: extension`) };
  const ckpt = readCheckpoint(dir);
  const loopFile = path.join(ckpt.dir, LOOP_FILE);
  const s = ckpt.state;
  for (const key of ['algo', 'env', 'seed'] as const) {
    if (s[key] !== config[key]) throw new Error(`checkpoint loop state ${loopFile}: ${key} ${JSON.stringify(s[key])} does not match ${JSON.stringify(config[key])} in ${configFile}`);
  }
  if (s.step >= config.steps) {
    throw new Error(`run ${dir} is complete: its checkpoint is at step ${s.step} and the target is ${config.steps} steps; pass a larger --steps to train further`);
  }
  const envs = makeTrainingEnvs(config);
  const streams = makeStreams(config.seed);
  let learner: Learner | undefined;
  let extension: TrainingExtension | null = null;
  try {
    learner = entry.create(config.learner, { obsDim: envs.obsDim, actDim: envs.actDim, rng: streams.learner });
    extension = await createExtension(config, envs, streams);
    if (extension !== null) {
      const extensionDir = path.join(ckpt.dir, EXTENSION_DIR);
      try {
        await extension.loadState(extensionDir);
      } catch (e) {
        throw new Error(`checkpoint extension state ${extensionDir}: ${(e as Error).message}`, { cause: e });
      }
    }
    const learnerDir = path.join(ckpt.dir, LEARNER_DIR);
    try {
      await learner.loadState(learnerDir);
    } catch (e) {
      throw new Error(`checkpoint learner state ${learnerDir}: ${(e as Error).message}`, { cause: e });
    }
    const bufferDir = path.join(ckpt.dir, BUFFER_DIR);
    const buffer = await ReplayBuffer.loadFrom(bufferDir);
    const want = { capacity: config.bufferSize, obsDim: envs.obsDim, actDim: envs.actDim };
    for (const [k, v] of Object.entries(want)) {
      const got = buffer[k as keyof typeof want];
      if (got !== v) throw new Error(`checkpoint replay buffer ${bufferDir}: ${k} is ${got}, the run's config and env need ${v}`);
    }
    streams.env.setState(s.rng.env);
    streams.explore.setState(s.rng.explore);
    streams.buffer.setState(s.rng.buffer);
    streams.learner.setState(s.rng.learner);
    if (s.rng.extension !== undefined) streams.extension.setState(s.rng.extension);
    // Rows an uninterrupted run would have at this point: those before the checkpoint, and at its
    // step only the ones due by cadence (an end-of-run row is written after the final checkpoint).
    const keepMetrics = (step: number) => step < s.step || (step === s.step && s.step % config.logEvery === 0);
    const keepEval = (step: number) => step < s.step || (step === s.step && config.evalEvery > 0 && s.step % config.evalEvery === 0);
    const stats = RunStats.restore(s, dir, keepMetrics, keepEval);
    // Validation is over: from here on the run directory may change.
    if (stepsChanged) writeJsonAtomic(configFile, config);
    const progression = {
      step: s.step,
      episodes: s.episodes,
      updates: s.updates,
      nextCheckpointAt: s.nextCheckpointAt,
      lastEval: s.lastEval,
      bestEval: s.bestEval,
      elapsedBefore: s.elapsedSeconds,
    };
    return { dir, config, learner, buffer, extension, envs, streams, stats, progression, resumedFrom: s.step };
  } catch (e) {
    extension?.dispose();
    learner?.dispose();
    envs.close();
    throw e;
  }
}

/** Creates a directory for a learner's or buffer's files inside a checkpoint being written. */
export function subdir(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function createExtension(config: LoopConfig, envs: TrainingEnvs, streams: Streams): Promise<TrainingExtension | null> {
  if (config.extension === null) return null;
  const entry = trainingExtension(config.extension.name);
  return entry.create(entry.parseConfig(config.extension.config), { config, obsDim: envs.obsDim, actDim: envs.actDim, rng: streams.extension });
}

function parseExtensionConfig(raw: LoopConfig['extension'], where: string): LoopConfig['extension'] {
  if (raw === null) return null;
  let entry;
  try {
    entry = trainingExtension(raw.name);
  } catch (e) {
    throw new ConfigError(`${where}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = entry.parseConfig(raw.config);
  } catch (e) {
    throw new ConfigError(`${where} (${entry.name}): ${(e as Error).message}`);
  }
  return { name: raw.name, config: parsed as Record<string, unknown> };
}

function parseLearnerConfig(entry: AlgorithmEntry, raw: unknown, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = entry.parseConfig(raw);
  } catch (e) {
    throw new ConfigError(`${where} (${entry.name}): ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`algorithm '${entry.name}': parseConfig returned ${typeof parsed}, expected a config object`);
  }
  return parsed as Record<string, unknown>;
}
