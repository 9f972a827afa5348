/**
 * `imitate train`: trains an algorithm on an env and writes the run directory; `--resume DIR`
 * continues a run from its latest checkpoint. Config precedence: built-in defaults < the
 * algorithm's tuned defaults for the env < `--config FILE.json` < flags < `--set key=value`.
 */
import { reportRun } from './run-report.js';
import { initBackend } from '../backend.js';
import { algorithm } from '../learner.js';
import { ConfigError, resolveConfig } from '../train/config.js';
import { train, TrainSetupError } from '../train/loop.js';
import type { ProgressTerminal } from '../train/progress.js';
import { expandOptimSets, optimizerFlagsGiven, optimizerSets, type OptimizerFlagValues } from './optimizer-flags.js';
import { CliError, parseOption, positiveInt, seedValue } from './options.js';

export interface TrainCommandOptions extends OptimizerFlagValues {
  algo?: string;
  env?: string;
  steps?: string | number;
  seed?: string | number;
  out?: string;
  config?: string;
  set: string[];
  resume?: string;
  quiet?: boolean;
}

export interface TrainCommandContext {
  /** Draw a progress bar here (a TTY) instead of printing lines through `out`. */
  terminal?: ProgressTerminal;
  /** Stop training gracefully when aborted (Ctrl-C). */
  signal?: AbortSignal;
}

export async function trainCommand(opts: TrainCommandOptions, out: (line: string) => void, context: TrainCommandContext = {}): Promise<void> {
  const steps = opts.steps === undefined ? undefined : parseOption('--steps', positiveInt, opts.steps);
  const common = { log: out, terminal: context.terminal, signal: context.signal, quiet: opts.quiet };
  if (opts.resume !== undefined) {
    const extra = (['algo', 'env', 'seed', 'out', 'config'] as const).filter((k) => opts[k] !== undefined).map((k) => `--${k}`);
    if (opts.set.length > 0) extra.push('--set');
    extra.push(...optimizerFlagsGiven(opts));
    if (extra.length > 0) throw new CliError(`--resume ${opts.resume} takes the run's config from its config.json; only --steps may be given with it, not ${extra.join(', ')}`);
    await initBackend();
    const { dir, summary } = await userErrors(() => train(undefined, { ...common, resume: opts.resume, steps }));
    await reportRun(dir, `${summary.algo} on ${summary.env}, seed ${summary.seed}`, opts.quiet === true ? () => undefined : out);
    return;
  }
  const flags = { algo: opts.algo, env: opts.env, steps, seed: opts.seed === undefined ? undefined : parseOption('--seed', seedValue, opts.seed) };
  const tuned = (algo: string, env: string) => algorithm(algo).tunedDefaults?.(env);
  const sets = expandOptimSets(opts.set);
  let config = await userErrors(async () => resolveConfig({ file: opts.config, flags, sets, tuned }));
  if (optimizerFlagsGiven(opts).length > 0) {
    // The networks are the keys of the learner's optim config; the flags go under the user's --sets.
    const networks = Object.keys((algorithm(config.algo).parseConfig({}) as { optim?: object }).optim ?? {});
    const flagSets = optimizerSets(opts, config.algo, networks);
    config = await userErrors(async () => resolveConfig({ file: opts.config, flags, sets: [...flagSets, ...sets], tuned }));
  }
  await initBackend();
  const { dir } = await userErrors(() => train(config, { ...common, dir: opts.out }));
  await reportRun(dir, `${config.algo} on ${config.env}, seed ${config.seed}`, opts.quiet === true ? () => undefined : out);
}

/** Bad configs, unknown algorithms and unusable checkpoints are the user's to fix: one line, no stack. */
async function userErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as Error;
    if (err instanceof ConfigError || err instanceof TrainSetupError || /^unknown algorithm /.test(err.message)) throw new CliError(err.message, { cause: e });
    throw e;
  }
}
