#!/usr/bin/env node
/**
 * Builds the optional native BLAS addon (build/Release/imitate_blas.node) at install time.
 *
 * Optional by design: where node-gyp, a C compiler or a CBLAS is missing, or the build fails for
 * any other reason, this prints one line saying why and exits 0, and imitate runs on the wasm
 * kernels alone. IMITATE_NATIVE_BLAS=0 skips the build.
 *
 * Node's headers are taken from the running Node's own install prefix when it ships them (Debian's
 * nodejs does, under include/node), so the build never needs the network for header downloads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`imitate: ${line}`);
const prefix = path.resolve(path.dirname(process.execPath), '..');

if (process.env.IMITATE_NATIVE_BLAS === '0') {
  say('IMITATE_NATIVE_BLAS=0: native BLAS addon not built; the wasm kernels will be used');
  process.exit(0);
}

const nodeGyp = findNodeGyp();
if (nodeGyp === null) {
  say('node-gyp not found: native BLAS addon not built; the wasm kernels will be used');
  process.exit(0);
}

const args = [nodeGyp, 'rebuild', '--release'];
if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
if (result.status === 0 && existsSync(path.join(root, 'build', 'Release', 'imitate_blas.node'))) {
  say('native BLAS addon built (build/Release/imitate_blas.node)');
  process.exit(0);
}
// A failed build must not leave a half-built addon behind for the loader to trip on.
rmSync(path.join(root, 'build'), { recursive: true, force: true });
const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
say(`native BLAS addon not built (${reason(output, result)}); the wasm kernels will be used`);
if (process.env.IMITATE_NATIVE_BLAS_VERBOSE === '1') console.log(output);
process.exit(0);

/** node-gyp's CLI script: npm's own copy (npm passes its path), else a local or global install. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  const npmExec = process.env.npm_execpath;
  if (npmExec) candidates.push(path.join(path.dirname(npmExec), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c !== undefined && c !== '' && existsSync(c)) ?? null;
}

function reason(output, result) {
  if (result.error) return result.error.message;
  if (/cannot find -lopenblas|lopenblas.*No such file/.test(output)) return 'OpenBLAS not found; on Debian/Ubuntu: apt-get install libopenblas-dev';
  if (/(gcc|cc|make|g\+\+): (command )?not found|not found: make/.test(output)) return 'no C compiler or make';
  if (/node_api\.h: No such file/.test(output)) return "Node's headers not found";
  const line = output.split('\n').find((l) => /error/i.test(l));
  return line ? line.trim().slice(0, 200) : `node-gyp exited with ${result.status}`;
}
