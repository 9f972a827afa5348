/**
 * `imitate check-env [MODULE] [--env ID]`: runs {@link checkEnv} on the envs a module registers
 * (or on the env or factory it default-exports), or on one registered env.
 */
import { checkEnv } from '../check-env.js';
import type { Env } from '../env.js';
import { importUserModule, importUserModules } from '../modules.js';
import { make, registeredEnvs } from '../registry.js';
import { CliError, parseOption, seedValue } from './options.js';

export interface CheckEnvCommandOptions {
  env?: string;
  import: string[];
  seed: string | number;
}

interface Target {
  name: string;
  build: () => Env;
}

export async function checkEnvCommand(module: string | undefined, opts: CheckEnvCommandOptions, out: (line: string) => void): Promise<void> {
  const seed = parseOption('--seed', seedValue, opts.seed);
  await importUserModules(opts.import);
  const targets: Target[] = [];
  if (module !== undefined) {
    const before = new Set(registeredEnvs().map((s) => s.id));
    const exports = await importUserModule(module);
    const fresh = registeredEnvs().filter((s) => !before.has(s.id));
    if (opts.env === undefined) targets.push(...fresh.map((s) => registeredTarget(s.id)));
    if (opts.env === undefined && exports.default !== undefined) targets.push(defaultExportTarget(module, exports.default));
    if (targets.length === 0 && opts.env === undefined) {
      throw new CliError(`check-env ${module}: the module registered no env and has no default export of an env, env class or factory`);
    }
  }
  if (opts.env !== undefined) targets.push(registeredTarget(opts.env));
  if (targets.length === 0) throw new CliError('check-env: give a MODULE that registers envs, or --env ID');

  for (const target of targets) {
    const report = checkEnv(target.build(), { seed });
    out(`${target.name}: ok (${report.passed.length} checks passed)`);
    for (const p of report.passed) out(`  ✓ ${p}`);
    for (const w of report.warnings) out(`  warning: ${w}`);
  }
}

/** The registered env as its factory builds it: wrappers can hide problems of the env inside (Gymnasium checks the unwrapped env too). */
function registeredTarget(id: string): Target {
  return { name: id, build: () => make(id, { disableEnvChecker: true }).unwrapped };
}

function defaultExportTarget(module: string, value: unknown): Target {
  const name = `${module} (default export)`;
  if (typeof value === 'function') {
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
    return { name, build: () => (isClass ? new (value as new () => Env)() : (value as () => Env)()) };
  }
  return { name, build: () => value as Env };
}
