/**
 * Without the native addon nothing breaks: the install step reports why it did not build and
 * succeeds, and the CLI runs on the wasm kernels (IMITATE_NATIVE_BLAS=0 stands in for an absent
 * addon: both leave the stock kernels in place).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'imitate.js');

t.test('a failing native build leaves no addon behind and does not fail the install', async (t) => {
  const dir = t.testdir();
  for (const f of ['binding.gyp', 'package.json']) cpSync(path.join(root, f), path.join(dir, f));
  mkdirSync(path.join(dir, 'native'));
  cpSync(path.join(root, 'native'), path.join(dir, 'native'), { recursive: true });
  // A compiler that always fails stands in for a machine without one (or without OpenBLAS).
  const r = spawnSync(process.execPath, [path.join(dir, 'native', 'build.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env, IMITATE_NATIVE_BLAS: '1', CC: 'false', CXX: 'false', CC_target: 'false' } });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /native BLAS addon not built \(.+\); the wasm kernels will be used/);
  t.notOk(existsSync(path.join(dir, 'build', 'Release', 'imitate_blas.node')));
  t.notOk(existsSync(path.join(dir, 'build')), 'no half-built tree');
});

t.test('IMITATE_NATIVE_BLAS=0 skips the build', async (t) => {
  const dir = t.testdir();
  mkdirSync(path.join(dir, 'native'));
  cpSync(path.join(root, 'native'), path.join(dir, 'native'), { recursive: true });
  const r = spawnSync(process.execPath, [path.join(dir, 'native', 'build.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env, IMITATE_NATIVE_BLAS: '0' } });
  t.equal(r.status, 0);
  t.match(r.stdout, /IMITATE_NATIVE_BLAS=0: native BLAS addon not built/);
});

t.test('imitate info and a short training run work on the wasm kernels alone', async (t) => {
  const env = { ...process.env, IMITATE_NATIVE_BLAS: '0' };
  const info = spawnSync(process.execPath, [cli, 'info'], { encoding: 'utf8', env });
  t.equal(info.status, 0, info.stderr);
  t.match(info.stdout, /native blas:\s+off \(IMITATE_NATIVE_BLAS=0\)/);
  const out = t.testdir();
  const run = spawnSync(process.execPath, [cli, 'train', '--algo', 'sac', '--env', 'Pendulum-v1', '--steps', '300', '--seed', '0', '--out', path.join(out, 'run'), '--set', 'learningStarts=100', '--set', 'evalEvery=0', '--set', 'learner.actorNet=[32,32]', '--set', 'learner.criticNet=[32,32]', '--quiet'], { encoding: 'utf8', env });
  t.equal(run.status, 0, run.stderr);
  t.ok(existsSync(path.join(out, 'run', 'policy', 'policy.json')), 'the run finished and saved its policy');
});
