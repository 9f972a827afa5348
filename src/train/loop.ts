/**
 * The off-policy training loop: collect → store → update → evaluate → log → checkpoint.
 *
 * Each env step: at an episode start, reset with a seed drawn from the 'env' stream and call
 * `learner.onEpisodeStart()`; act (uniformly random actions from the 'explore' stream for the
 * first `learningStarts` steps, then the learner's exploration policy); store the transition with
 * `terminated` and `truncated` kept apart (the buffer bootstraps through truncation); then, every
 * `trainFreq` steps after `learningStarts`, `gradientSteps` updates on batches sampled with the
 * 'buffer' stream. The loop itself never reads from the backend: learners return their metrics
 * as numbers.
 *
 * Exact resume: checkpoints are taken at the first episode end at or after every
 * `checkpointEvery` steps, and at the end when it falls on an episode end. At an episode end the
 * env's future depends only on the next reset seed, drawn from the saved 'env' stream, so the
 * checkpoint (learner state, buffer, stream states, counters, log accumulators) is the loop's
 * whole state. A run stopped at any step and resumed from its latest checkpoint replays the steps
 * since then exactly and ends with the same weights, buffer and CSV rows as an uninterrupted run.
 * Evaluations draw their reset seeds from a stream derived from their step, so they consume no
 * state either, and end-of-run extras (an evaluation or metrics row off the regular cadence) come
 * after the final checkpoint and are dropped when the run is extended.
 */
import path from 'node:path';
import { initBackend } from '../backend.js';
import { BUFFER_DIR, EXTENSION_DIR, LEARNER_DIR, writeCheckpoint, type LoopState } from './checkpoint.js';
import type { LoopConfigInput } from './config.js';
import { evaluatePolicy } from './evaluate.js';
import { writeJsonAtomic } from './files.js';
import { Progress } from './progress.js';
import { SUMMARY_FILE, writePolicyDir } from './run-dir.js';
import { openNewSession, openResumedSession, subdir, type Session } from './session.js';
import type { StopReason, TrainOptions, TrainResult, TrainSummary } from './types.js';

export type { EpisodeInfo, StepInfo, StopReason, TrainCallbacks, TrainOptions, TrainResult, TrainSummary } from './types.js';

/** Thrown when a run cannot start (bad config, missing or corrupt checkpoint); nothing was written. */
export class TrainSetupError extends Error {
  override name = 'TrainSetupError';
}

/**
 * Trains `config.algo` on `config.env` (or resumes `options.resume`, with `config` undefined)
 * and writes the run directory. Resolves with the run directory and the summary.
 */
export async function train(config: LoopConfigInput | undefined, options: TrainOptions = {}): Promise<TrainResult> {
  // Library users get the same backend choice as the CLI (idempotent: decided once per process).
  await initBackend();
  let session: Session;
  try {
    if (options.resume !== undefined) {
      if (config !== undefined) throw new TypeError('train: with options.resume the config comes from the run directory; pass undefined (and options.steps for a new step target)');
      session = await openResumedSession(options.resume, options.steps);
    } else {
      if (config === undefined) throw new TypeError('train: a config is required unless options.resume is given');
      session = await openNewSession(config, options.dir);
    }
  } catch (e) {
    throw new TrainSetupError((e as Error).message, { cause: e });
  }
  try {
    return await runLoop(session, options);
  } finally {
    session.extension?.dispose();
    session.learner.dispose();
    session.envs.close();
  }
}

async function runLoop(s: Session, options: TrainOptions): Promise<TrainResult> {
  const { config: c, learner, buffer, envs, streams, stats, dir, extension } = s;
  const p = s.progression;
  const callbacks = options.callbacks ?? {};
  const t0 = performance.now();
  const startStep = p.step;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const progress = new Progress({ total: c.steps, start: startStep, terminal: options.terminal, log, quiet: options.quiet });
  const gradientSteps = c.gradientSteps === -1 ? c.trainFreq : c.gradientSteps;
  if (options.rewardFn !== undefined && extension?.rewardFn !== undefined) throw new TrainSetupError(`train: options.rewardFn and the '${c.extension?.name}' extension's rewardFn cannot both be given`);
  const sampleOptions = { nStep: c.nStep, gamma: c.gamma, rewardFn: options.rewardFn ?? extension?.rewardFn, paperNStepQuirk: extension?.paperNStepQuirk === true };
  const elapsed = () => p.elapsedBefore + (performance.now() - t0) / 1000;
  let stop: StopReason | null = null;
  let lastCheckpointStep = s.resumedFrom ?? -1;
  let lastEvalStep = -1;
  let lastRow = { step: startStep, time: t0 };

  progress.message(
    s.resumedFrom === null
      ? `training ${c.algo} on ${c.env} for ${c.steps} steps, seed ${c.seed}, in ${dir}`
      : `resuming ${dir} at step ${s.resumedFrom} of ${c.steps} (${c.algo} on ${c.env}, seed ${c.seed})`,
  );
  stats.flush(dir, true);

  const evaluate = (): void => {
    const act = (obs: Float32Array) => learner.act(obs, 'deterministic');
    const result = evaluatePolicy(envs.evalEnv, act, { episodes: c.evalEpisodes, rng: streams.evalRoot.stream(`step-${p.step}`), step: p.step });
    lastEvalStep = p.step;
    p.lastEval = result;
    if (p.bestEval === null || result.returnMean > p.bestEval.returnMean) p.bestEval = result;
    const extras = extension?.evalExtras?.(result);
    stats.evalRow(result, extras?.columns);
    progress.evaluation(p.step, result.returnMean, result.returnStd, c.evalEpisodes);
    if (extras?.message !== undefined) progress.message(extras.message);
    if (callbacks.onEval?.(result) === false) stop ??= 'callback';
    if (c.stopAtReturn !== null && result.returnMean >= c.stopAtReturn) stop ??= 'stopAtReturn';
  };

  const logRow = (): void => {
    if (extension?.beforeLogRow !== undefined) stats.update(extension.beforeLogRow(buffer, learner));
    const now = performance.now();
    const seconds = (now - lastRow.time) / 1000;
    stats.logRow({ step: p.step, episodes: p.episodes, updates: p.updates, stepsPerSecond: seconds > 0 ? (p.step - lastRow.step) / seconds : 0, timeSeconds: elapsed() });
    lastRow = { step: p.step, time: now };
    progress.row({ step: p.step, episodes: p.episodes, episodeReturn: stats.recentReturn });
    stats.flush(dir, false);
  };

  const checkpoint = async (): Promise<void> => {
    const state: LoopState = {
      version: 1,
      algo: c.algo,
      env: c.env,
      seed: c.seed,
      step: p.step,
      episodes: p.episodes,
      updates: p.updates,
      rng: { env: streams.env.state(), explore: streams.explore.state(), buffer: streams.buffer.state(), learner: streams.learner.state(), extension: streams.extension.state() },
      ...stats.snapshot(),
      lastEval: p.lastEval,
      bestEval: p.bestEval,
      nextCheckpointAt: p.nextCheckpointAt,
      elapsedSeconds: elapsed(),
    };
    // The CSV files first: they then hold at least the rows the checkpoint accounts for.
    stats.flush(dir, true);
    await writeCheckpoint(dir, state, async (tmp) => {
      await learner.saveState(subdir(tmp, LEARNER_DIR));
      await buffer.saveTo(subdir(tmp, BUFFER_DIR));
      if (extension !== null) await extension.saveState(subdir(tmp, EXTENSION_DIR));
    });
    lastCheckpointStep = p.step;
  };

  // The loop is synchronous between checkpoints; yielding to the event loop now and then lets a
  // Ctrl-C (the CLI's AbortSignal) and other callbacks in within a fraction of a second.
  let lastYield = performance.now();
  let obs: Float32Array | null = null;
  let episodeReturn = 0;
  let episodeLength = 0;
  while (p.step < c.steps && stop === null) {
    if (obs === null) {
      [obs] = envs.env.reset({ seed: streams.env.seed() });
      learner.onEpisodeStart();
      episodeReturn = 0;
      episodeLength = 0;
    }
    const action = p.step < c.learningStarts ? envs.agentActionSpace.sample(streams.explore) : learner.act(obs, 'explore');
    const [next, reward, terminated, truncated] = envs.env.step(action);
    if (extension?.store !== undefined) extension.store(buffer, { obs, action, reward, nextObs: next, terminated, truncated });
    else buffer.add(obs, action, reward, next, terminated, truncated);
    p.step += 1;
    episodeReturn += reward;
    episodeLength += 1;
    const ended = terminated || truncated;
    obs = ended ? null : next;
    if (ended) {
      p.episodes += 1;
      stats.episode(episodeReturn, episodeLength);
      if (callbacks.onEpisode?.({ step: p.step, episode: p.episodes, return: episodeReturn, length: episodeLength, terminated }) === false) stop ??= 'callback';
    }
    if (p.step > c.learningStarts && p.step % c.trainFreq === 0) {
      for (let g = 0; g < gradientSteps; g++) {
        stats.update(learner.update(buffer.sample(c.batchSize, streams.buffer, sampleOptions)));
        if (extension?.afterUpdate !== undefined) stats.update(extension.afterUpdate(buffer));
        p.updates += 1;
      }
    }
    if (p.step % c.logEvery === 0) logRow();
    if (c.evalEvery > 0 && p.step % c.evalEvery === 0) evaluate();
    if (callbacks.onStep?.({ step: p.step, episodes: p.episodes, updates: p.updates, reward, terminated, truncated }) === false) stop ??= 'callback';
    if (options.signal !== undefined && p.step % 64 === 0 && performance.now() - lastYield > 200) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (options.signal?.aborted === true) stop ??= 'signal';
    if (ended && c.checkpointEvery > 0 && p.step >= p.nextCheckpointAt) {
      p.nextCheckpointAt = (Math.floor(p.step / c.checkpointEvery) + 1) * c.checkpointEvery;
      await checkpoint();
    }
    progress.tick(p.step);
  }

  const stoppedBy = stop ?? 'steps';
  // The final checkpoint comes before the end-of-run extras, which a resumed run must not see.
  if (obs === null && lastCheckpointStep !== p.step) await checkpoint();
  if (lastEvalStep !== p.step) evaluate();
  if (p.step % c.logEvery !== 0) logRow();
  progress.finish(p.step);
  stats.flush(dir, true);
  const policyDir = await writePolicyDir(dir, learner, envs.info);
  const sessionSeconds = (performance.now() - t0) / 1000;
  const summary: TrainSummary = {
    algo: c.algo,
    env: c.env,
    seed: c.seed,
    steps: p.step,
    stepsTarget: c.steps,
    episodes: p.episodes,
    updates: p.updates,
    stoppedBy,
    wallSeconds: elapsed(),
    stepsPerSecond: sessionSeconds > 0 ? (p.step - startStep) / sessionSeconds : 0,
    finalEval: p.lastEval,
    bestEval: p.bestEval,
    resumedFromStep: s.resumedFrom,
  };
  writeJsonAtomic(path.join(dir, SUMMARY_FILE), summary);
  const fin = p.lastEval;
  progress.message(`done: ${p.step} steps (${summary.stoppedBy}) in ${summary.wallSeconds.toFixed(1)} s; final eval ${fin === null ? '–' : `${fin.returnMean.toFixed(2)} ± ${fin.returnStd.toFixed(2)}`}; policy in ${policyDir}`);
  return { dir, summary };
}
