import t from 'tap';
import { InvertedPendulumEnv } from '../../../envs/mujoco/inverted-pendulum.js';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import '../../../envs/mujoco/index.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, spec } from '../../../src/registry.js';
import { Rng } from '../../../src/rng.js';
import { checkSeeding, microsPerStep } from './helpers.js';

const ID = 'InvertedPendulum-v5';
await loadMujoco();

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

t.test('model facts match spec/environments.md §3.3–3.4', async (t) => {
  const env = new InvertedPendulumEnv();
  const m = env.model;
  t.same([m.nq, m.nv, m.nu], [2, 2, 1]);
  const mass = m.body_mass as Float64Array;
  t.ok(close(mass[1], 10.47198, 1e-4), `cart mass ${mass[1]}`);
  t.ok(close(mass[2], 5.01859, 1e-4), `pole mass ${mass[2]}`);
  t.ok(close(mass.reduce((a, b) => a + b, 0), 15.49057, 1e-4), 'total mass');
  const inertia = m.body_inertia as Float64Array;
  t.ok(close(inertia[3], 0.126711, 1e-4) && close(inertia[5], 0.048171, 1e-4), 'cart inertia');
  t.ok(close(inertia[6], 0.18875, 1e-4) && close(inertia[8], 0.005906, 1e-3), 'pole inertia');
  t.equal(env.dt, 0.04);
  t.equal(env.metadata.renderFps, 25);
  t.same(env.actionSpace.toString(), 'Box(-3, 3, [1], float32)');
  t.same(env.observationSpace.shape, [4]);
  t.same(Array.from(env.initQpos), [0, 0]);
  t.equal(new InvertedPendulumEnv({ frame_skip: 4 }).dt, 0.08);
  t.throws(() => new InvertedPendulumEnv({ frameskip: 2 } as never), /InvertedPendulum-v5[\s\S]*frameskip/);
  env.close();
});

t.test('registration', async (t) => {
  t.equal(spec(ID).maxEpisodeSteps, 1000);
  t.equal(spec(ID).rewardThreshold, 950);
});

t.test('checkEnv passes', async (t) => {
  const report = checkEnv(new InvertedPendulumEnv());
  t.ok(report.passed.length > 0);
  t.same(report.warnings, []);
});

t.test('seeding: same seed same episodes, different seeds differ', async (t) => {
  checkSeeding(t, () => new InvertedPendulumEnv());
});

t.test('reset noise is uniform within ±0.01', async (t) => {
  const env = new InvertedPendulumEnv();
  env.reset({ seed: 3 });
  let max = 0;
  for (let i = 0; i < 200; i++) for (const v of env.reset()[0]) max = Math.max(max, Math.abs(v));
  t.ok(max <= 0.01 && max > 0.009, `max |noise| ${max}`);
  env.close();
});

t.test('under zero action the pole tips over; reward 0 on the terminating step', async (t) => {
  const env = new InvertedPendulumEnv();
  env.reset({ seed: 1 });
  const rewards: number[] = [];
  let last: Float32Array | null = null;
  for (let i = 0; i < 1000; i++) {
    const [obs, r, term, trunc, info] = env.step(Float32Array.of(0));
    t.equal(info.reward_survive, r);
    t.equal(trunc, false);
    rewards.push(r);
    last = obs;
    if (term) break;
  }
  t.ok(rewards.length > 5 && rewards.length < 200, `terminates after ${rewards.length} steps`);
  t.equal(rewards.at(-1), 0);
  t.ok(rewards.slice(0, -1).every((r) => r === 1));
  t.ok(Math.abs(last![1]) > 0.2);
  env.close();
});

t.test('invalid actions are rejected; out-of-range ones are clamped by MuJoCo', async (t) => {
  const env = new InvertedPendulumEnv();
  env.reset({ seed: 0 });
  t.throws(() => env.step(Float32Array.of(0, 0)), /length 2/);
  t.throws(() => env.step(Float32Array.of(NaN)), /finite/);
  const a = new InvertedPendulumEnv();
  const b = new InvertedPendulumEnv();
  a.reset({ seed: 2 });
  b.reset({ seed: 2 });
  t.same(a.step(Float32Array.of(30))[0], b.step(Float32Array.of(3))[0], 'ctrl clamped to ctrlrange');
  for (const e of [env, a, b]) e.close();
  env.close();
  t.throws(() => env.step(Float32Array.of(0)), /closed/);
});

t.test('random policy return matches §3.12 (5.07 ± 2.79 over 100 episodes, ±25 %)', async (t) => {
  const env = make(ID);
  const rng = new Rng(123);
  let total = 0;
  env.reset({ seed: 42 });
  for (let ep = 0; ep < 100; ep++) {
    for (;;) {
      const [, r, term, trunc] = env.step(Float32Array.of(rng.uniform(-3, 3)));
      total += r;
      if (term || trunc) break;
    }
    env.reset();
  }
  const mean = total / 100;
  t.ok(mean > 5.07 * 0.75 && mean < 5.07 * 1.25, `mean random return ${mean}`);
  env.close();
});

t.test('speed', async (t) => {
  const env = new InvertedPendulumEnv();
  const us = microsPerStep(env, 3000);
  t.comment(`${ID}: ${us.toFixed(1)} µs per step`);
  t.ok(us < 2000);
  env.close();
});
