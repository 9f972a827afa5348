import t from 'tap';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import { Walker2dEnv } from '../../../envs/mujoco/walker2d.js';
import '../../../envs/mujoco/index.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, spec } from '../../../src/registry.js';
import { Rng } from '../../../src/rng.js';
import { checkSeeding, microsPerStep } from './helpers.js';

const ID = 'Walker2d-v5';
await loadMujoco();

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

t.test('model facts match spec/environments.md §3.3, 3.7', async (t) => {
  const env = new Walker2dEnv();
  const m = env.model;
  t.same([m.nq, m.nv, m.nu], [9, 9, 6]);
  const expected = [0, 3.66519, 4.05789, 2.78136, 3.16673, 4.05789, 2.78136, 3.16673];
  const mass = m.body_mass as Float64Array;
  for (let b = 1; b < expected.length; b++) t.ok(close(mass[b], expected[b], 1e-4), `body ${b} mass ${mass[b]}`);
  t.ok(close(mass.reduce((a, b) => a + b, 0), 23.67714, 1e-4), 'total mass');
  const inertia = m.body_inertia as Float64Array;
  t.ok(close(inertia[12], 0.023998, 1e-4) && close(inertia[14], 0.005374, 1e-3), 'foot inertia');
  t.same(Array.from(env.initQpos), [0, 1.25, 0, 0, 0, 0, 0, 0, 0]);
  env.reset({ seed: 0 });
  env.setState(env.initQpos, env.initQvel);
  const xipos = env.data.xipos as Float64Array;
  t.ok(Math.abs(xipos[12] - 0.1) < 1e-9 && Math.abs(xipos[14] - 0.1) < 1e-9, 'foot CoM (0.1, 0, 0.1) at qpos0');
  const friction = m.geom_friction as Float64Array;
  t.same([friction[3 * 4], friction[3 * 7]], [1.9, 1.9], 'both feet friction 1.9 (v5)');
  t.equal(env.dt, 0.008);
  t.equal(env.actionSpace.toString(), 'Box(-1, 1, [6], float32)');
  t.same(env.observationSpace.shape, [17]);
  t.equal(spec(ID).maxEpisodeSteps, 1000);
  t.equal(spec(ID).rewardThreshold, undefined);
  env.close();
});

t.test('checkEnv passes', async (t) => {
  t.same(checkEnv(new Walker2dEnv()).warnings, []);
});

t.test('seeding: same seed same episodes, different seeds differ', async (t) => {
  checkSeeding(t, () => new Walker2dEnv());
});

t.test('falls and terminates when unhealthy; info sums to the reward', async (t) => {
  const env = new Walker2dEnv();
  env.reset({ seed: 3 });
  let steps = 0;
  let bad = 0;
  for (;;) {
    const [obs, r, term, , info] = env.step(Float32Array.of(1, -1, 1, 1, -1, 1));
    steps++;
    const sum = (info.reward_forward as number) + (info.reward_survive as number) + (info.reward_ctrl as number);
    if (Math.abs(sum - r) > 1e-12 || obs.slice(8).some((v) => Math.abs(v) > 10)) bad++;
    const q = env.data.qpos as Float64Array;
    if ((q[1] > 0.8 && q[1] < 2 && Math.abs(q[2]) < 1) === term) bad++;
    if (info.reward_survive !== (term ? 0 : 1)) bad++;
    if (term || steps >= 1000) break;
  }
  t.equal(bad, 0, 'every step consistent');
  t.ok(steps < 1000, `terminated after ${steps} steps`);
  env.close();
});

t.test('random policy return is near §3.12 (0.81 ± 5.15; 100 episodes)', async (t) => {
  // the mean is near 0, so a relative band is meaningless: ±2.5 is about 5 standard errors
  const env = make(ID);
  const rng = new Rng(9);
  let total = 0;
  let length = 0;
  env.reset({ seed: 42 });
  for (let ep = 0; ep < 100; ep++) {
    for (;;) {
      const [, r, term, trunc] = env.step(Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
      total += r;
      length++;
      if (term || trunc) break;
    }
    env.reset();
  }
  t.ok(Math.abs(total / 100 - 0.81) < 2.5, `mean random return ${total / 100}`);
  t.ok(Math.abs(length / 100 - 20.7) < 20.7 * 0.25, `mean episode length ${length / 100}`);
  env.close();
});

t.test('speed', async (t) => {
  const env = new Walker2dEnv();
  t.comment(`${ID}: ${microsPerStep(env, 2000).toFixed(1)} µs per step`);
  env.close();
});
