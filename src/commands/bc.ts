/**
 * `imitate bc --demos FILE --env ID --out DIR`: behavioural cloning from demonstrations, the
 * standard baseline. Loads and checks the demonstrations against the env, keeps the first
 * `--num-demos` episodes (optionally subsampled), fits the registered 'bc' cloner, evaluates the
 * policy, and writes a run directory: `config.json`, `policy/` (loadable by `imitate eval` and
 * `imitate collect`) and `summary.json` (return, and the normalized score when the demonstrations
 * record a random-policy return; R_expert is the mean over all the file's episodes).
 *
 * Streams, all from `--seed`: `bc` (weights and minibatches), `subsample` (offsets), `eval`.
 */
import path from 'node:path';
import { initBackend } from '../backend.js';
import { cloner } from '../cloning.js';
import { normalizedScore, totalSteps } from '../demos/episode.js';
import { loadDemos } from '../demos/load.js';
import { selectEpisodes, subsampleDataset } from '../demos/subsample.js';
import { toTransitions } from '../demos/transitions.js';
import { demoEnv } from '../demos/validate.js';
import { make } from '../registry.js';
import { Rng } from '../rng.js';
import { Box } from '../spaces.js';
import { ConfigError, deepMerge, parseSet } from '../train/config.js';
import { wrapBox } from '../train/env-setup.js';
import { evaluatePolicy } from '../train/evaluate.js';
import { writeJsonAtomic } from '../train/files.js';
import { CONFIG_FILE, prepareNewRunDir, SUMMARY_FILE, writePolicyDir } from '../train/run-dir.js';
import { CliError, parseOption, positiveInt, seedValue } from './options.js';

export interface BcCommandOptions {
  demos: string;
  env: string;
  out: string;
  numDemos?: string | number;
  subsample: string | number;
  loss?: string;
  steps?: string | number;
  seed: string | number;
  evalEpisodes: string | number;
  set: string[];
  quiet?: boolean;
}

/** What `imitate bc` writes to summary.json. */
export interface BcSummary {
  env: string;
  demos: string;
  numDemos: number;
  transitions: number;
  finalLoss: number;
  returnMean: number;
  returnStd: number;
  expertReturn: number;
  randomReturn: number | null;
  normalizedScore: number | null;
  wallSeconds: number;
}

export async function bcCommand(opts: BcCommandOptions, out: (line: string) => void): Promise<BcSummary> {
  const seed = parseOption('--seed', seedValue, opts.seed);
  const rate = parseOption('--subsample', positiveInt, opts.subsample);
  const evalEpisodes = parseOption('--eval-episodes', positiveInt, opts.evalEpisodes);
  const entry = cloner('bc');
  let config: unknown;
  try {
    const flags: Record<string, unknown> = {};
    if (opts.loss !== undefined) flags.loss = opts.loss;
    if (opts.steps !== undefined) flags.steps = parseOption('--steps', positiveInt, opts.steps);
    const merged = [flags, ...opts.set.map(parseSet)].reduce((acc, layer) => deepMerge(acc, layer), {});
    config = entry.parseConfig(merged);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TypeError) throw new CliError((e as Error).message);
    throw e;
  }
  const env = demoEnv(opts.env);
  const { dataset: all } = await loadDemos(opts.demos, { env });
  const numDemos = opts.numDemos === undefined ? all.episodes.length : parseOption('--num-demos', positiveInt, opts.numDemos);
  if (numDemos > all.episodes.length) throw new CliError(`--num-demos ${numDemos}: ${opts.demos} holds only ${all.episodes.length} episodes`);
  const root = new Rng(seed);
  const dataset = subsampleDataset(selectEpisodes(all, numDemos), rate, root.stream('subsample'));
  const actionSpace = env.actionSpace as Box;
  const data = toTransitions(dataset, { actionSpace });

  try {
    prepareNewRunDir(opts.out);
  } catch (e) {
    throw new CliError(`--out ${opts.out}: ${(e as Error).message}`);
  }
  writeJsonAtomic(path.join(opts.out, CONFIG_FILE), { method: 'bc', demos: opts.demos, env: opts.env, numDemos, subsample: rate, seed, evalEpisodes, bc: config });
  await initBackend();
  const t0 = performance.now();
  const bc = entry.create(config, { obsDim: dataset.obsDim, actDim: dataset.actDim, rng: root.stream('bc') });
  try {
    if (opts.quiet !== true) out(`bc on ${opts.env}: ${numDemos} demos, ${data.size} transitions (${totalSteps(dataset)} steps${rate > 1 ? `, subsampled 1/${rate}` : ''})`);
    const last = bc.fit(data, { onProgress: (p) => opts.quiet !== true && out(`  step ${String(p.step).padStart(6)}  loss ${p.loss.toFixed(6)}`) });
    await writePolicyDir(opts.out, bc, {
      env: opts.env,
      envKwargs: {},
      maxEpisodeSteps: null,
      observationSpace: env.observationSpace.toJSON(),
      actionSpace: actionSpace.toJSON(),
      policyActionRange: [-1, 1],
    });
    const evalEnv = wrapBox(make(opts.env), opts.env);
    let result;
    try {
      result = evaluatePolicy(evalEnv, (obs) => bc.act(obs), { episodes: evalEpisodes, rng: root.stream('eval') });
    } finally {
      evalEnv.close();
    }
    // Scores are normalized by the whole file's expert return, whatever --num-demos selected,
    // so that scores for 1, 4 and 16 demos compare against the same expert.
    const m = all.metadata;
    const summary: BcSummary = {
      env: opts.env,
      demos: opts.demos,
      numDemos,
      transitions: data.size,
      finalLoss: last.loss,
      returnMean: result.returnMean,
      returnStd: result.returnStd,
      expertReturn: m.expertReturn.mean,
      randomReturn: m.randomReturn?.mean ?? null,
      normalizedScore: m.randomReturn === null ? null : normalizedScore(result.returnMean, m),
      wallSeconds: (performance.now() - t0) / 1000,
    };
    writeJsonAtomic(path.join(opts.out, SUMMARY_FILE), summary);
    const score = summary.normalizedScore === null ? 'no random return recorded, no normalized score' : `normalized score ${summary.normalizedScore.toFixed(3)}`;
    out(`return ${result.returnMean.toFixed(3)} ± ${result.returnStd.toFixed(3)} over ${evalEpisodes} episodes (expert ${m.expertReturn.mean.toFixed(3)}); ${score}`);
    out(`wrote ${opts.out}`);
    return summary;
  } finally {
    bc.dispose();
  }
}
