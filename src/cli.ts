/**
 * The `imitate` command. Built-in environments are registered by the entry point
 * (bin/imitate.js imports envs/ first), so this file stays inside src/ and imports neither envs
 * nor agents. Every command that takes `--env` also takes `--import MODULE` (repeatable) to load
 * modules that register the user's own envs.
 */
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { ablateCommand, type AblateCommandOptions } from './commands/ablate.js';
import { addSlurmOptions } from './commands/ablate-slurm.js';
import { bcCommand, type BcCommandOptions } from './commands/bc.js';
import { checkEnvCommand } from './commands/check-env.js';
import { collectCommand, type CollectCommandOptions } from './commands/collect.js';
import { demosInspectCommand } from './commands/demos-inspect.js';
import { envsCommand } from './commands/envs.js';
import { evalCommand } from './commands/eval.js';
import { gailCommand, type GailCommandOptions } from './commands/gail.js';
import { infoCommand } from './commands/info.js';
import { collect, CliError, ExitStatus } from './commands/options.js';
import { reportCommand, type ReportCommandOptions } from './commands/report.js';
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

  const gailCmd = program
    .command('gail')
    .description('off-policy GAIL (SAC or TD3 learner, discriminator reward with gradient penalty) from expert demonstrations')
    .requiredOption('--env <id>', 'environment id (see imitate envs)')
    .option('--demos <file>', 'demonstrations file')
    .option('--expert-policy <dir>', 'instead of --demos: roll out this saved policy (a run\'s policy/) for the demonstrations')
    .option('--num-demos <n>', 'demonstrations (episodes) to use, each subsampled 1/20 (default 4)')
    .option('--learner <name>', 'sac or td3 (td3: the paper\'s configuration)', 'sac')
    .option('--steps <n>', 'env steps to train for')
    .option('--seed <s>', 'run seed (default 0)')
    .option('--out <dir>', 'run directory (default runs/gail-<learner>-<env>-seed<seed>)')
    .option('--gp <type>', 'gradient penalty: wgan, dragan, nagard or none (default wgan)')
    .option('--gp-k <k>', 'penalty target gradient norm k (default 1)')
    .option('--gp-lambda <l>', 'penalty weight λ (default 10)')
    .option('--gp-one-sided', 'penalise only gradient norms above k')
    .option('--spectral-norm', 'spectral norm on the discriminator\'s hidden layers (the default)')
    .option('--no-spectral-norm', 'no spectral norm')
    .option('--reward <form>', 'minimax (−log(1−D), default), logd (log D) or logit (h)')
    .option('--precondition <type>', 'none (default), purple or reward-grad')
    .option('--config <file>', "JSON file of config values (the keys of a run's config.json)")
    .option('--set <key=value>', 'override one config value, e.g. --set extension.config.discriminator.batchSize=128 (repeatable)', collect, [] as string[])
    .option(...importOption)
    .option('--quiet', 'print nothing while training');
  addOptimizerOptions(gailCmd, ['actor', 'critic', 'alpha', 'disc', 'forward'])
    .action(async (opts: GailCommandOptions & { import: string[] }) => {
      await importUserModules(opts.import);
      const terminal = io === defaultIo && process.stderr.isTTY ? process.stderr : undefined;
      await withInterrupt(io, (signal) => gailCommand(opts, io.out, { terminal, signal }));
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

  program
    .command('collect')
    .description('record episodes of a saved policy as a demonstration file (HDF5), with the random-policy return')
    .requiredOption('--policy <dir>', 'policy directory, e.g. runs/NAME/policy or experts/ENV/policy')
    .option('--env <id>', 'environment id (default: the one the policy was trained on)')
    .requiredOption('--episodes <n>', 'number of episodes to record')
    .requiredOption('--out <file.h5>', 'demonstration file to write')
    .option('--seed <s>', 'seed of the episodes and of the policy sampling', '0')
    .option('--deterministic', "record the policy's deterministic action instead of sampling it")
    .option('--random-episodes <n>', 'episodes of a uniform random policy whose return is recorded (0: none)', '50')
    .option(...importOption)
    .option('--json', 'machine-readable output')
    .action(async (opts: CollectCommandOptions & { import: string[] }) => {
      await importUserModules(opts.import);
      await collectCommand(opts, io.out);
    });

  const demos = program.command('demos').description('demonstration files');
  demos
    .command('inspect')
    .description("summarise a demonstration file or directory (imitate's, the paper authors' or Minari's layout)")
    .argument('<file>', 'an HDF5 file, a directory of the authors\' .h5 files, or a Minari dataset directory')
    .option('--env <id>', 'also check the demonstrations against this env')
    .option(...importOption)
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { env?: string; import: string[]; json?: boolean }) => {
      await importUserModules(opts.import);
      await demosInspectCommand(file, opts, io.out);
    });

  program
    .command('bc')
    .description('behavioural cloning from demonstrations; writes a run directory (config, policy, summary)')
    .requiredOption('--demos <file>', 'demonstrations (any layout imitate demos inspect reads)')
    .requiredOption('--env <id>', 'environment id (see imitate envs)')
    .requiredOption('--out <dir>', 'run directory to write')
    .option('--num-demos <n>', 'use the first N episodes (default: all)')
    .option('--subsample <rate>', 'keep every rate-th transition from a random offset per episode', '1')
    .option('--loss <name>', 'mse (default) or nll (Gaussian log-likelihood)')
    .option('--steps <n>', 'gradient steps (default 2000)')
    .option('--seed <s>', 'seed of the weights, minibatches, subsampling and evaluation', '0')
    .option('--eval-episodes <n>', 'evaluation episodes of the cloned policy', '50')
    .option('--set <key=value>', 'override one BC config value, e.g. --set lr=3e-4 --set actorNet=[64,64] (repeatable)', collect, [] as string[])
    .option(...importOption)
    .option('--quiet', 'print only the result')
    .action(async (opts: BcCommandOptions & { import: string[] }) => {
      await importUserModules(opts.import);
      await bcCommand(opts, io.out);
    });

  const ablate = program
    .command('ablate')
    .description('run an ablation study (arms × envs × seeds × demos) locally or on Slurm, then report it')
    .option('--study <name>', 'gp-zeta, nogp, gp-lambda, purple, optimizer or learner')
    .option('--profile <name>', 'smoke (seconds, CI), quick (Pendulum-v1 and InvertedPendulum-v5) or paper', 'quick')
    .option('--out <dir>', 'study directory (default ablations/<study>-<profile>)')
    .option('--workers <n>', 'local executor: runs at a time (default: the number of CPUs)')
    .option('--executor <name>', 'local (a process pool) or slurm (an sbatch job array)', 'local')
    .option('--dry-run', 'write the plan (and the Slurm script) without running anything')
    .option('--seeds <list>', "seeds instead of the profile's: a count (5), a list (0,3,7) or a range (10-14)")
    .option('--envs <list>', "a comma-separated subset of the profile's envs")
    .option('--demos-dir <dir>', 'where <env>/demos.h5 files are (default: the shipped experts/)')
    .option('--set <key=value>', 'a config value for every run, over the profile\'s and the arm\'s (repeatable)', collect, [] as string[])
    .option('--task <i>', 'with --out: execute run I of the planned study (what a Slurm array task runs)');
  addSlurmOptions(ablate).action(async (opts: AblateCommandOptions) => {
    let code = 0;
    await withInterrupt(io, async (signal) => {
      code = await ablateCommand(opts, io.out, signal);
    }, true);
    if (code !== 0) throw new ExitStatus(code);
  });

  program
    .command('report')
    .description('statistical report of an ablation study directory: IQM with bootstrap CIs, probability of improvement, learning curves (report.md, curves.png)')
    .argument('<dir>', 'study directory (written by imitate ablate)')
    .option('--reps <n>', 'bootstrap resamples per interval', '2000')
    .option('--seed <s>', 'seed of the bootstrap resamples', '0')
    .action(async (dir: string, opts: ReportCommandOptions) => reportCommand(dir, opts, io.out));

  return program;
}

/**
 * Ctrl-C once stops training after the current step (the run is then finished properly); twice
 * exits at once. `alsoSigterm`: SIGTERM stops it the same way (the ablation runner, whose child
 * runs must be interrupted rather than orphaned when it is killed).
 */
async function withInterrupt(io: Io, fn: (signal: AbortSignal) => Promise<void>, alsoSigterm = false): Promise<void> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    io.err('imitate: interrupted; stopping after this step (Ctrl-C again to quit at once)');
    controller.abort();
  };
  const signals: NodeJS.Signals[] = alsoSigterm ? ['SIGINT', 'SIGTERM'] : ['SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  try {
    await fn(controller.signal);
  } finally {
    for (const s of signals) process.off(s, onSignal);
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
    if (e instanceof ExitStatus) return e.code;
    const err = e as Error;
    const expected = err instanceof CliError || err instanceof TypeError || err instanceof RangeError || /^(No env registered|--import|IMITATE_BACKEND)/.test(err.message) || err.name === 'EnvCheckError' || err.name === 'DemoFileError';
    const debug = process.env.IMITATE_DEBUG === '1';
    io.err(`imitate: ${expected && !debug ? err.message : (err.stack ?? err.message)}`);
    return 1;
  }
}
