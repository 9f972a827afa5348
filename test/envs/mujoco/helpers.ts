import type { Test } from 'tap';
import type { Env } from '../../../src/env.js';
import { Rng } from '../../../src/rng.js';
import type { Box } from '../../../src/spaces.js';

/** Runs `steps` steps from `seed` with seeded uniform actions (resetting at episode ends) and records everything. */
export function trajectory(env: Env, seed: number, steps: number): number[] {
  const rng = new Rng(seed + 1000);
  const out: number[] = [];
  let [obs] = env.reset({ seed }) as [Float32Array, unknown];
  out.push(...obs);
  for (let i = 0; i < steps; i++) {
    const [o, r, term, trunc] = env.step((env.actionSpace as Box).sample(rng));
    obs = o as Float32Array;
    out.push(...obs, r, term ? 1 : 0);
    if (term || trunc) out.push(...(env.reset()[0] as Float32Array));
  }
  return out;
}

/** Same seed gives the same episodes; different seeds differ. */
export function checkSeeding(t: Test, makeEnv: () => Env, steps = 60): void {
  const a = makeEnv();
  const b = makeEnv();
  t.same(trajectory(a, 5, steps), trajectory(b, 5, steps), 'same seed, identical trajectories (two instances)');
  t.same(trajectory(a, 5, steps), trajectory(b, 5, steps), 'same seed again after use, identical');
  t.notSame(trajectory(a, 5, steps), trajectory(b, 6, steps), 'different seeds differ');
  a.close();
  b.close();
}

/** Mean µs per env step over `steps` random steps (resets included). */
export function microsPerStep(env: Env, steps: number): number {
  const rng = new Rng(1);
  const actions = Array.from({ length: 64 }, () => (env.actionSpace as Box).sample(rng));
  env.reset({ seed: 0 });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    const [, , term, trunc] = env.step(actions[i % 64]);
    if (term || trunc) env.reset();
  }
  return Number(process.hrtime.bigint() - t0) / 1000 / steps;
}
