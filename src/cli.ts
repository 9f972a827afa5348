/**
 * The `imitate` command. Built-in environments are registered by the entry point
 * (bin/imitate.js imports envs/ first), so this file stays inside src/ and imports neither envs
 * nor agents. Every command that takes `--env` also takes `--import MODULE` (repeatable) to load
 * modules that register the user's own envs.
 */
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { checkEnvCommand } from './commands/check-env.js';
import { envsCommand } from './commands/envs.js';
import { evalCommand } from './commands/eval.js';
import { infoCommand } from './commands/info.js';
import { collect, CliError } from './commands/options.js';
import { rolloutCommand } from './commands/rollout.js';
import { addOptimizerOptions } from './commands/optimizer-flags.js';
import { trainCommand, type TrainCommandOptions } from './commands/train.js';
import { importUserModules } from './modules.js';

/** Where a command writes: stdout by default, a buffer in tests. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Builds the command tree; `io` receives all output. */
export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('imitate')
    .description('Imitation learning from demonstrations: environments, SAC/TD3, off-policy GAIL.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride();

  const importOption = ['--import <module>', 'JS/TS module or package that registers envs (repeatable)', collect, [] as string[]] as const;

  program
    .command('info')
    .description('show the TensorFlow.js backend, versions, SIMD and threads')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => infoCommand(opts, io.out));

  program
    .command('envs')
    .description('list registered environments with their spaces and step limits')
    .option(...importOption)
    .option('--json', 'machine-readable output')
    .action(async (opts: { import: string[]; json?: boolean }) => {
      await importUserModules(opts.import);
      envsCommand(opts, io.out);
    });

  program
    .command('rollout')
    .description("run a random policy and print each episode's return and length")
    .requiredOption('--env <id>', 'environment id (see imitate envs)')
    .option('--episodes <n>', 'number of episodes', '10')
    .option('--seed <s>', 'seed of the first reset and of the policy', '0')
    .option('--max-steps <k>', 'cap on steps per episode (for envs without a time limit)')
    .option(...importOption)
    .option('--json', 'machine-readable output')
    .action(async (opts: { env: string; episodes: string; seed: string; maxSteps?: string; import: string[]; json?: boolean }) => {
      await importUserModules(opts.import);
      rolloutCommand(opts, io.out);
    });

  program
    .command('check-env')
    .description("check an env the way Gymnasium's env checker does")
    .argument('[module]', 'module that registers envs or default-exports an env or a factory; its new envs are checked')
    .option('--env <id>', 'check this registered env (built-in or from the module)')
    .option(...importOption)
    .option('--seed <s>', 'seed used by the checks', '0')
    .action(async (module: string | undefined, opts: { env?: string; import: string[]; seed: string }) => {
      await checkEnvCommand(module, opts, io.out);
    });

  const trainCmd = program
    .command('train')
    .description('train an off-policy algorithm on an env; writes a run directory (config, metrics, checkpoints, policy)')
    .option('--algo <name>', 'algorithm (sac, td3, or one registered by --import)')
    .option('--env <id>', 'environment id (see imitate envs)')
    .option('--steps <n>', 'env steps to train for (with --resume: the new target)')
    .option('--seed <s>', 'run seed (default 0)')
    .option('--out <dir>', 'run directory (default runs/<algo>-<env>-seed<seed>)')
    .option('--config <file>', "JSON file of config values (the keys of a run's config.json)")
    .option('--set <key=value>', 'override one config value, e.g. --set batchSize=128 --set learner.lr=3e-4 (repeatable)', collect, [] as string[])
    .option('--resume <dir>', 'continue the run in DIR from its latest checkpoint')
    .option(...importOption)
    .option('--quiet', 'print nothing while training');
  addOptimizerOptions(trainCmd, ['actor', 'critic', 'alpha'])
    .action(async (opts: TrainCommandOptions & { import: string[] }) => {
      await importUserModules(opts.import);
      const terminal = io === defaultIo && process.stderr.isTTY ? process.stderr : undefined;
      await withInterrupt(io, (signal) => trainCommand(opts, io.out, { terminal, signal }));
    });

  program
    .command('eval')
    .description("run a saved policy (a run's policy/ directory) and print each episode's return and the mean ± std")
    .requiredOption('--policy <dir>', 'policy directory, e.g. runs/NAME/policy')
    .option('--env <id>', 'environment id (default: the one the policy was trained on)')
    .option('--episodes <n>', 'number of episodes', '10')
    .option('--seed <s>', 'seed of the episodes', '0')
    .option(...importOption)
    .option('--json', 'machine-readable output')
    .action(async (opts: { policy: string; env?: string; episodes: string; seed: string; import: string[]; json?: boolean }) => {
      await importUserModules(opts.import);
      await evalCommand(opts, io.out);
    });

  return program;
}

/** Ctrl-C once stops training after the current step (the run is then finished properly); twice exits at once. */
async function withInterrupt(io: Io, fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    io.err('imitate: interrupted; stopping after this step (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The version in the package's package.json (found upwards: src/ in development, dist/src/ when built). */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'imitate' && pkg.version !== undefined) return pkg.version;
    }
  }
  return 'unknown';
}

/**
 * Runs the CLI on `argv` (as process.argv). Returns the exit code instead of exiting, so that
 * tests can call it; user errors print one clear line, not a stack trace.
 */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const err = e as Error;
    const expected = err instanceof CliError || err instanceof TypeError || err instanceof RangeError || /^(No env registered|--import|IMITATE_BACKEND)/.test(err.message) || err.name === 'EnvCheckError';
    const debug = process.env.IMITATE_DEBUG === '1';
    io.err(`imitate: ${expected && !debug ? err.message : (err.stack ?? err.message)}`);
    return 1;
  }
}
