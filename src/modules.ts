/**
 * Loads user modules named on the command line (`--import MODULE`): JavaScript or TypeScript
 * files, or installed packages, that register environments as a side effect. TypeScript is
 * loaded through tsx, so a user needs no build step for a custom env.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const TS_EXTENSIONS = /\.(ts|mts|cts|tsx)$/;

/** Imports `specifier` (a path relative to `cwd`, an absolute path, or a package name). */
export async function importUserModule(specifier: string, cwd = process.cwd()): Promise<Record<string, unknown>> {
  const file = resolveFile(specifier, cwd);
  try {
    if (file !== null && TS_EXTENSIONS.test(file)) await enableTypeScript();
    if (file !== null) return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    return (await import(resolvePackage(specifier, cwd))) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (file === null && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND')) {
      throw new Error(`--import ${specifier}: no such file (relative to ${cwd}) and no installed package of that name`);
    }
    throw new Error(`--import ${specifier}: loading ${file ?? specifier} failed: ${err.message}`, { cause: e });
  }
}

/** Imports each module in order; later modules may rely on earlier registrations. */
export async function importUserModules(specifiers: readonly string[], cwd = process.cwd()): Promise<void> {
  for (const s of specifiers) await importUserModule(s, cwd);
}

let typescriptEnabled = false;

/**
 * Registers tsx's loader hooks for the rest of the process. Registered globally (not tsx's
 * namespaced `tsImport`) so that a user module and the CLI share one instance of every module,
 * the env registry above all.
 */
async function enableTypeScript(): Promise<void> {
  if (typescriptEnabled || process.execArgv.some((a) => a.includes('tsx'))) return;
  const { register } = await import('tsx/esm/api');
  register();
  typescriptEnabled = true;
}

function resolveFile(specifier: string, cwd: string): string | null {
  const looksLikePath = specifier.startsWith('.') || path.isAbsolute(specifier) || /\.(m?[jt]s|cjs|cts|tsx)$/.test(specifier);
  const abs = path.resolve(cwd, specifier);
  if (existsSync(abs)) return abs;
  if (looksLikePath) throw new Error(`--import ${specifier}: file not found: ${abs}`);
  return null;
}

function resolvePackage(specifier: string, cwd: string): string {
  try {
    return pathToFileURL(createRequire(path.join(cwd, 'noop.js')).resolve(specifier)).href;
  } catch {
    return specifier; // ESM-only packages: let import() resolve them
  }
}
