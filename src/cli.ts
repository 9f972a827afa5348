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
import { infoCommand } from './commands/info.js';
import { collect, CliError } from './commands/options.js';
import { rolloutCommand } from './commands/rollout.js';
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

  return program;
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
