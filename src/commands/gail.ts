/**
 * `imitate gail`: off-policy GAIL on an env from expert demonstrations, with SAC or TD3 as the
 * learner. It is `imitate train` with the 'gail' training extension (registered by agents/gail):
 * the flags below become the run's `extension.config`, so config.json records them and
 * `imitate train --resume DIR` continues a GAIL run like any other.
 * Config precedence: defaults < GAIL's tuned defaults for learner and env < --config < flags < --set.
 */
import { expandOptimSets, optimizerSets, type OptimizerFlagValues } from './optimizer-flags.js';
import { reportRun } from './run-report.js';
import { algorithm } from '../learner.js';
import { initBackend } from '../backend.js';
import { ConfigError, resolveConfig } from '../train/config.js';
import { trainingExtension } from '../train/extension.js';
import { train, TrainSetupError } from '../train/loop.js';
import type { TrainCommandContext } from './train.js';
import { CliError, parseOption, positiveInt, seedValue } from './options.js';

export interface GailCommandOptions extends OptimizerFlagValues {
  env: string;
  demos?: string;
  expertPolicy?: string;
  numDemos?: string;
  learner: string;
  steps?: string;
  seed?: string;
  out?: string;
  gp?: string;
  gpK?: string;
  gpLambda?: string;
  gpOneSided?: boolean;
  spectralNorm?: boolean;
  reward?: string;
  precondition?: string;
  config?: string;
  set: string[];
  quiet?: boolean;
}

const choice = (flag: string, allowed: readonly string[], v: string) => {
  if (!allowed.includes(v)) throw new CliError(`${flag} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v;
};

const number = (flag: string, v: string) => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new CliError(`${flag} must be a non-negative number, got '${v}'`);
  return x;
};

/** The `--set extension.config.…` assignments the GAIL flags stand for. */
export function gailFlagSets(opts: GailCommandOptions): string[] {
  const sets: string[] = [];
  const p = 'extension.config';
  if (opts.gp !== undefined) sets.push(`${p}.discriminator.penalty.type=${choice('--gp', ['wgan', 'dragan', 'nagard', 'none'], opts.gp)}`);
  if (opts.gpK !== undefined) sets.push(`${p}.discriminator.penalty.k=${number('--gp-k', opts.gpK)}`);
  if (opts.gpLambda !== undefined) sets.push(`${p}.discriminator.penalty.lambda=${number('--gp-lambda', opts.gpLambda)}`);
  if (opts.gpOneSided === true) sets.push(`${p}.discriminator.penalty.oneSided=true`);
  if (opts.spectralNorm !== undefined) sets.push(`${p}.discriminator.spectralNorm=${opts.spectralNorm}`);
  if (opts.reward !== undefined) sets.push(`${p}.reward=${choice('--reward', ['minimax', 'logd', 'logit'], opts.reward)}`);
  if (opts.precondition !== undefined) sets.push(`${p}.precondition.type=${choice('--precondition', ['none', 'purple', 'reward-grad'], opts.precondition)}`);
  return sets;
}

export async function gailCommand(opts: GailCommandOptions, out: (line: string) => void, context: TrainCommandContext = {}): Promise<void> {
  const learner = choice('--learner', ['sac', 'td3'], opts.learner);
  if ((opts.demos === undefined) === (opts.expertPolicy === undefined)) throw new CliError('give the expert data with exactly one of --demos FILE or --expert-policy DIR');
  const numDemos = opts.numDemos === undefined ? 4 : parseOption('--num-demos', positiveInt, opts.numDemos);
  const expert =
    opts.demos !== undefined ? { source: 'file', path: opts.demos, numDemos } : { source: 'policy', path: opts.expertPolicy, episodes: numDemos };
  const entry = await userErrors(() => trainingExtension('gail'));
  const flags = {
    algo: learner,
    env: opts.env,
    steps: opts.steps === undefined ? undefined : parseOption('--steps', positiveInt, opts.steps),
    seed: opts.seed === undefined ? undefined : parseOption('--seed', seedValue, opts.seed),
    extension: { name: 'gail', config: { expert } },
  };
  const config = await userErrors(() =>
    resolveConfig({ file: opts.config, flags, sets: [...gailFlagSets(opts), ...gailOptimizerSets(opts, learner), ...expandOptimSets(opts.set)], tuned: (algo, env) => entry.tunedDefaults?.(algo, env) }),
  );
  await initBackend();
  const dir = opts.out ?? `runs/gail-${learner}-${opts.env}-seed${config.seed}`;
  await userErrors(() => train(config, { dir, log: out, terminal: context.terminal, signal: context.signal, quiet: opts.quiet }));
  await reportRun(dir, `GAIL (${learner}) on ${opts.env}, seed ${config.seed}`, opts.quiet === true ? () => undefined : out);
}

/** Where GAIL's own networks keep their optimizer in the run config. */
const GAIL_OPTIMIZERS = { disc: 'extension.config.discriminator.optimizer', forward: 'extension.config.forwardModel.optimizer' } as const;

/**
 * The optimizer flags as `--set`s: `--optim` for the learner's networks and GAIL's discriminator
 * and forward model, `--actor-optim`/`--critic-optim`/`--alpha-optim` for the learner's,
 * `--disc-optim` and `--forward-optim` for GAIL's. A named optimizer replaces the network's whole
 * optimizer entry, so its own default learning rate applies unless `--set ....lr=` gives one.
 */
export function gailOptimizerSets(opts: GailCommandOptions, learner: string): string[] {
  const networks = Object.keys((algorithm(learner).parseConfig({}) as { optim?: object }).optim ?? {});
  const { discOptim, forwardOptim, ...learnerFlags } = opts;
  const sets = optimizerSets(learnerFlags, learner, networks);
  for (const [net, value, flag] of [['disc', discOptim ?? opts.optim, '--disc-optim'], ['forward', forwardOptim ?? opts.optim, '--forward-optim']] as const) {
    if (value === undefined) continue;
    if (!/^[\w-]+$/.test(value)) throw new CliError(`${flag} ${JSON.stringify(value)}: expected an optimizer name such as adam, soap, fismo or muon`);
    sets.push(`${GAIL_OPTIMIZERS[net]}={"name":"${value}"}`);
  }
  return sets;
}

async function userErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as Error;
    if (err instanceof ConfigError || err instanceof TrainSetupError || /^unknown (algorithm|training extension) /.test(err.message)) throw new CliError(err.message, { cause: e });
    throw e;
  }
}
