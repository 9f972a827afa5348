import t from 'tap';
import { InvertedDoublePendulumEnv } from '../../../envs/mujoco/inverted-double-pendulum.js';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import '../../../envs/mujoco/index.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, spec } from '../../../src/registry.js';
import { Rng } from '../../../src/rng.js';
import { checkSeeding, microsPerStep } from './helpers.js';

const ID = 'InvertedDoublePendulum-v5';
await loadMujoco();

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

t.test('model facts match spec/environments.md §3.3, 3.5', async (t) => {
  const env = new InvertedDoublePendulumEnv();
  const m = env.model;
  t.same([m.nq, m.nv, m.nu], [3, 3, 1]);
  const mass = m.body_mass as Float64Array;
  t.ok(close(mass[1], 10.47198, 1e-4), `cart mass ${mass[1]}`);
  t.ok(close(mass[2], 4.19874, 1e-4) && close(mass[3], 4.19874, 1e-4), 'pole masses');
  t.ok(close(mass.reduce((a, b) => a + b, 0), 18.86945, 1e-4), 'total mass');
  const inertia = m.body_inertia as Float64Array;
  t.ok(close(inertia[6], 0.154971, 1e-4) && close(inertia[8], 0.004174, 1e-3), 'pole inertia');
  t.equal(env.dt, 0.05);
  t.equal(env.actionSpace.toString(), 'Box(-1, 1, [1], float32)');
  t.same(env.observationSpace.shape, [9]);
  env.reset({ seed: 0 });
  env.setState([0, 0, 0], [0, 0, 0]);
  t.same(Array.from(env.data.site_xpos as Float64Array).map((v) => Math.round(v * 1e9) / 1e9), [0, 0, 1.2], 'tip at (0, 0, 1.2) in qpos0');
  t.equal(spec(ID).maxEpisodeSteps, 1000);
  t.equal(spec(ID).rewardThreshold, 9100);
  t.throws(() => new InvertedDoublePendulumEnv({ healthy_reward: 'x' } as never), /healthy_reward/);
  env.close();
});

t.test('checkEnv passes', async (t) => {
  t.same(checkEnv(new InvertedDoublePendulumEnv()).warnings, []);
});

t.test('seeding: same seed same episodes, different seeds differ', async (t) => {
  checkSeeding(t, () => new InvertedDoublePendulumEnv());
});

t.test('terminates when the tip falls to 1 m; info sums to the reward', async (t) => {
  const env = new InvertedDoublePendulumEnv({ healthy_reward: 7 });
  env.reset({ seed: 4 });
  let steps = 0;
  for (;;) {
    const [obs, r, term, trunc, info] = env.step(Float32Array.of(0));
    steps++;
    const sum = (info.reward_survive as number) + (info.distance_penalty as number) + (info.velocity_penalty as number);
    t.ok(Math.abs(sum - r) < 1e-12, 'info breakdown sums to the reward');
    t.ok((info.distance_penalty as number) <= -0.64 + 1e-9, 'tip never above 1.2 m');
    t.equal(trunc, false);
    const tipZ = (env.data.site_xpos as Float64Array)[2];
    t.equal(term, tipZ <= 1);
    t.equal(info.reward_survive, term ? 0 : 7);
    t.ok(obs.slice(5).every((v) => Math.abs(v) <= 10), 'velocities and constraint force clipped');
    if (term || steps >= 1000) break;
  }
  t.ok(steps < 200, `fell after ${steps} steps`);
  env.close();
});

t.test('random policy return is near §3.12 (50.01 ± 21.22)', async (t) => {
  const env = make(ID);
  const rng = new Rng(7);
  let total = 0;
  env.reset({ seed: 42 });
  for (let ep = 0; ep < 100; ep++) {
    for (;;) {
      const [, r, term, trunc] = env.step(Float32Array.of(rng.uniform(-1, 1)));
      total += r;
      if (term || trunc) break;
    }
    env.reset();
  }
  const mean = total / 100;
  t.ok(mean > 50.01 * 0.75 && mean < 50.01 * 1.25, `mean random return ${mean}`);
  env.close();
});

t.test('speed', async (t) => {
  const env = new InvertedDoublePendulumEnv();
  t.comment(`${ID}: ${microsPerStep(env, 2000).toFixed(1)} µs per step`);
  env.close();
});
