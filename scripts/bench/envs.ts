/**
 * Random-policy env steps per second for every registered env, through the full `make()` stack
 * (checker, order enforcing, time limit) and on the raw env, resets included.
 *
 *   npx tsx scripts/bench/envs.ts [--seconds 2] [--episodes 100] [--only ID,ID] [--json]
 *
 * It also reports each env's random-policy return over `--episodes` episodes (uniform actions,
 * seeded), for comparison with the published random-policy figures (spec/environments.md §3.12).
 *
 * With GYMNASIUM_SRC pointing at a Gymnasium source checkout, the same loop is also timed in
 * Python Gymnasium (scripts/bench/envs_gymnasium.py) in the same run, and the ratio is printed.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMujoco } from '../../envs/index.js';
import type { Env } from '../../src/env.js';
import { make, registeredEnvs } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';
import { meanStd, randomPolicy, rollout } from '../../src/rollout.js';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 2) || 2;
const json = args.includes('--json');
const episodes = args.includes('--episodes') ? Number(args[args.indexOf('--episodes') + 1]) : 100;
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : null;
await loadMujoco();

/** Random-policy return and length over `episodes` episodes, seeded. */
function randomReturns(id: string): { mean: number; std: number; length: number } {
  const env = make(id);
  const eps = rollout(env, randomPolicy(env.actionSpace, new Rng(0).stream('policy')), { episodes, seed: 0 });
  env.close();
  const r = meanStd(eps.map((e) => e.return));
  return { mean: r.mean, std: r.std, length: meanStd(eps.map((e) => e.length)).mean };
}

/** Steps per second of a random policy, for `seconds` wall seconds after a short warm-up. */
function stepsPerSecond(env: Env, seconds: number): number {
  const rng = new Rng(0).stream('bench');
  // Pre-sampled actions keep the policy's cost out of the env's figure.
  const actions = Array.from({ length: 4096 }, () => env.actionSpace.sample(rng));
  env.reset({ seed: 0 });
  let steps = 0;
  const run = (budgetMs: number) => {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < budgetMs) {
      for (let i = 0; i < 1000; i++) {
        const [, , terminated, truncated] = env.step(actions[(steps + n + i) & 4095]);
        if (terminated || truncated) env.reset();
      }
      n += 1000;
    }
    return (n / (performance.now() - t0)) * 1000;
  };
  run(200);
  steps = 0;
  return run(seconds * 1000);
}

function pythonBaseline(ids: string[]): Record<string, number> | null {
  const src = process.env.GYMNASIUM_SRC;
  if (!src) return null;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'envs_gymnasium.py');
  const r = spawnSync('python3', [script, '--seconds', String(seconds), ...ids], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) {
    console.error(`Python baseline failed: ${r.stderr.trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(r.stdout) as Record<string, number>;
}

const rows = registeredEnvs()
  .filter((s) => only === null || only.has(s.id))
  .map((s) => {
    const wrapped = stepsPerSecond(make(s.id), seconds);
    const raw = stepsPerSecond(make(s.id).unwrapped, seconds);
    return { id: s.id, wrapped, raw, random: episodes > 0 ? randomReturns(s.id) : null };
  });
const py = pythonBaseline(rows.map((r) => r.id));

if (json) {
  console.log(JSON.stringify({ rows, gymnasium: py }, null, 2));
} else {
  console.log(`node ${process.version}, ${seconds} s per measurement, random policy, resets included`);
  console.log(`${'env'.padEnd(28)} ${'make() stack'.padStart(14)} ${'raw env'.padStart(12)}${py ? `${'Gymnasium'.padStart(12)} ${'ratio'.padStart(7)}` : ''}  random return (${episodes} ep.)`);
  for (const r of rows) {
    const base = py?.[r.id];
    const extra = py ? `${(base ? Math.round(base).toLocaleString('en') : '-').padStart(12)} ${(base ? `${(r.wrapped / base).toFixed(1)}x` : '-').padStart(7)}` : '';
    const random = r.random === null ? '' : `  ${r.random.mean.toFixed(2)} ± ${r.random.std.toFixed(2)} (length ${r.random.length.toFixed(1)})`;
    console.log(`${r.id.padEnd(28)} ${Math.round(r.wrapped).toLocaleString('en').padStart(14)} ${Math.round(r.raw).toLocaleString('en').padStart(12)}${extra}${random}`);
  }
}
