/**
 * The optimizer flags of the training commands: `--optim NAME` for every network of the learner,
 * `--actor-optim NAME`, `--critic-optim NAME`, ... for one network, and `optim.NET.OPTION=VALUE` as
 * a short form of `--set learner.optim.NET.OPTION=VALUE`. They become `--set` assignments of the
 * learner config (`learner.optim.<net>.name`), placed before the user's own `--set`s so those win.
 * `imitate train` uses them for SAC/TD3 (actor, critic, alpha); a command with more networks
 * (a discriminator, a forward model) adds its flags with {@link addOptimizerOptions}.
 */
import type { Command } from 'commander';
import { CliError } from './options.js';

/** The networks that have a per-network flag, by flag. */
export const NETWORK_FLAGS = {
  actor: '--actor-optim',
  critic: '--critic-optim',
  alpha: '--alpha-optim',
  disc: '--disc-optim',
  forward: '--forward-optim',
} as const;

export type FlaggedNetwork = keyof typeof NETWORK_FLAGS;

/** What commander gives for the flags: `optim`, `actorOptim`, `criticOptim`, ... */
export type OptimizerFlagValues = { optim?: string } & { [K in FlaggedNetwork as `${K}Optim`]?: string };

/** Adds `--optim` and the per-network flags of `networks` to `cmd`. */
export function addOptimizerOptions(cmd: Command, networks: readonly FlaggedNetwork[]): Command {
  cmd.option('--optim <name>', 'optimizer of every network: adam, soap, fismo, muon (options: --set optim.NET.OPTION=VALUE)');
  for (const net of networks) cmd.option(`${NETWORK_FLAGS[net]} <name>`, `optimizer of the ${net} network (overrides --optim)`);
  return cmd;
}

/** Whether any optimizer flag was given (for commands that refuse them, like `--resume`). */
export function optimizerFlagsGiven(values: OptimizerFlagValues): string[] {
  const given: string[] = values.optim !== undefined ? ['--optim'] : [];
  for (const [net, flag] of Object.entries(NETWORK_FLAGS)) if (values[`${net as FlaggedNetwork}Optim`] !== undefined) given.push(flag);
  return given;
}

/**
 * The `--set` assignments that the flags stand for, for a learner `algo` whose networks are
 * `networks` (the keys of its config's `optim`). A per-network flag for a network the learner
 * does not have is an error naming it and the learner's networks.
 */
export function optimizerSets(values: OptimizerFlagValues, algo: string, networks: readonly string[]): string[] {
  const sets: string[] = [];
  const name = (flag: string, value: string) => {
    if (!/^[\w-]+$/.test(value)) throw new CliError(`${flag} ${JSON.stringify(value)}: expected an optimizer name such as adam, soap, fismo or muon`);
    return value;
  };
  if (values.optim !== undefined) for (const net of networks) sets.push(`learner.optim.${net}.name=${name('--optim', values.optim)}`);
  for (const [net, flag] of Object.entries(NETWORK_FLAGS)) {
    const value = values[`${net as FlaggedNetwork}Optim`];
    if (value === undefined) continue;
    if (!networks.includes(net)) throw new CliError(`${flag}: ${algo} has no '${net}' network (its networks: ${networks.join(', ')})`);
    sets.push(`learner.optim.${net}.name=${name(flag, value)}`);
  }
  return sets;
}

/** `optim.NET.OPTION=VALUE` → `learner.optim.NET.OPTION=VALUE`; other assignments unchanged. */
export function expandOptimSets(sets: readonly string[]): string[] {
  return sets.map((s) => (s.startsWith('optim.') ? `learner.${s}` : s));
}
