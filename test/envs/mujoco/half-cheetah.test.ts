import t from 'tap';
import { HalfCheetahEnv } from '../../../envs/mujoco/half-cheetah.js';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import '../../../envs/mujoco/index.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, spec } from '../../../src/registry.js';
import { Rng } from '../../../src/rng.js';
import { checkSeeding, microsPerStep } from './helpers.js';

const ID = 'HalfCheetah-v5';
await loadMujoco();

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

t.test('model facts match spec/environments.md §3.3, 3.8', async (t) => {
  const env = new HalfCheetahEnv();
  const m = env.model;
  t.same([m.nq, m.nv, m.nu], [9, 9, 6]);
  const expected = [0, 6.25021, 1.54351, 1.58745, 1.0954, 1.43808, 1.20084, 0.88452];
  const mass = m.body_mass as Float64Array;
  for (let b = 1; b < expected.length; b++) t.ok(close(mass[b], expected[b], 1e-4), `body ${b} mass ${mass[b]}`);
  t.ok(close(mass.reduce((a, b) => a + b, 0), 14, 1e-9), 'total mass 14 (settotalmass)');
  const inertia = m.body_inertia as Float64Array;
  t.ok(close(inertia[3], 0.897118, 1e-4) && close(inertia[4], 0.885655, 1e-4) && close(inertia[5], 0.017961, 1e-3), 'torso inertia');
  const ipos = m.body_ipos as Float64Array;
  t.ok(close(ipos[3], 0.1524, 1e-3) && close(ipos[5], 0.0254, 1e-2), 'torso CoM');
  t.same(Array.from(m.actuator_gear as Float64Array).filter((_, i) => i % 6 === 0), [120, 90, 60, 120, 60, 30]);
  t.equal(env.dt, 0.05);
  t.equal(env.actionSpace.toString(), 'Box(-1, 1, [6], float32)');
  t.same(env.observationSpace.shape, [17]);
  t.same(new HalfCheetahEnv({ exclude_current_positions_from_observation: false }).observationSpace.shape, [18]);
  env.close();
  t.equal(spec(ID).maxEpisodeSteps, 1000);
  t.equal(spec(ID).rewardThreshold, 4800);
});

t.test('checkEnv passes', async (t) => {
  t.same(checkEnv(new HalfCheetahEnv()).warnings, []);
});

t.test('seeding: same seed same episodes, different seeds differ', async (t) => {
  checkSeeding(t, () => new HalfCheetahEnv());
});

t.test('never terminates; info sums to the reward; reset reports x_position', async (t) => {
  const env = make(ID);
  const rng = new Rng(3);
  const [obs, resetInfo] = env.reset({ seed: 1 });
  t.equal((obs as Float32Array).length, 17);
  t.type(resetInfo.x_position, 'number');
  let steps = 0;
  let bad = 0;
  for (;;) {
    const action = Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1));
    const [, r, term, trunc, info] = env.step(action);
    steps++;
    const sum = (info.reward_forward as number) + (info.reward_ctrl as number);
    if (term || Math.abs(sum - r) > 1e-12 || (info.reward_ctrl as number) > 0 || (info.reward_ctrl as number) < -0.6) bad++;
    if (trunc) break;
  }
  t.equal(steps, 1000, 'truncated at exactly 1000 steps');
  t.equal(bad, 0, 'never terminated; reward = reward_forward + reward_ctrl; ctrl cost in [0, 0.6]');
  env.close();
});

t.test('x_velocity is Δqpos[0]/dt; with exclude_current_positions_from_observation false obs[0] is x', async (t) => {
  const env = new HalfCheetahEnv({ exclude_current_positions_from_observation: false });
  const [obs0] = env.reset({ seed: 2 });
  const [obs1, , , , info] = env.step(new Float32Array(6).fill(0.5));
  t.ok(Math.abs((info.x_velocity as number) - (Number(info.x_position) - obs0[0]) / 0.05) < 1e-5);
  t.equal(obs1[0], Math.fround(info.x_position as number));
  env.close();
});

t.test('random policy return is near §3.12 (−289.28 ± 73.13; 10 episodes, ±25 %)', async (t) => {
  const env = make(ID);
  const rng = new Rng(11);
  let total = 0;
  env.reset({ seed: 5 });
  for (let ep = 0; ep < 10; ep++) {
    for (;;) {
      const [, r, term, trunc] = env.step(Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
      total += r;
      if (term || trunc) break;
    }
    env.reset();
  }
  const mean = total / 10;
  t.ok(mean < -289.28 * 0.75 && mean > -289.28 * 1.25, `mean random return ${mean}`);
  env.close();
});

t.test('speed', async (t) => {
  const env = new HalfCheetahEnv();
  t.comment(`${ID}: ${microsPerStep(env, 2000).toFixed(1)} µs per step`);
  env.close();
});
