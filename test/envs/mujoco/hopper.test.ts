import t from 'tap';
import { HopperEnv } from '../../../envs/mujoco/hopper.js';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import '../../../envs/mujoco/index.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, spec } from '../../../src/registry.js';
import { Rng } from '../../../src/rng.js';
import { checkSeeding, microsPerStep } from './helpers.js';

const ID = 'Hopper-v5';
await loadMujoco();

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

t.test('model facts match spec/environments.md §3.3, 3.6', async (t) => {
  const env = new HopperEnv();
  const m = env.model;
  t.same([m.nq, m.nv, m.nu], [6, 6, 3]);
  const expected = [0, 3.66519, 4.05789, 2.78136, 5.31557];
  const mass = m.body_mass as Float64Array;
  for (let b = 1; b < expected.length; b++) t.ok(close(mass[b], expected[b], 1e-4), `body ${b} mass ${mass[b]}`);
  t.ok(close(mass.reduce((a, b) => a + b, 0), 15.82001, 1e-4), 'total mass');
  const inertia = m.body_inertia as Float64Array;
  t.ok(close(inertia[12], 0.103523, 1e-4) && close(inertia[14], 0.009242, 1e-3), 'foot inertia');
  t.same(Array.from(env.initQpos), [0, 1.25, 0, 0, 0, 0], 'qpos0 honours rootz ref');
  env.reset({ seed: 0 });
  env.setState(env.initQpos, env.initQvel);
  const xipos = env.data.xipos as Float64Array;
  t.ok(Math.abs(xipos[12] - 0.065) < 1e-9 && Math.abs(xipos[14] - 0.1) < 1e-9, 'foot CoM in world at qpos0');
  const anchors = Array.from(env.data.xanchor as Float64Array).filter((_, i) => i % 3 === 2);
  t.same(anchors.map((v) => Math.round(v * 1e9) / 1e9), [0, 0, 1.25, 1.05, 0.6, 0.1], 'joint anchors');
  t.equal(env.dt, 0.008);
  t.equal(env.actionSpace.toString(), 'Box(-1, 1, [3], float32)');
  t.same(env.observationSpace.shape, [11]);
  t.same(new HopperEnv({ exclude_current_positions_from_observation: false }).observationSpace.shape, [12]);
  t.equal(spec(ID).maxEpisodeSteps, 1000);
  t.equal(spec(ID).rewardThreshold, 3800);
  env.close();
});

t.test('checkEnv passes', async (t) => {
  t.same(checkEnv(new HopperEnv()).warnings, []);
});

t.test('seeding: same seed same episodes, different seeds differ', async (t) => {
  checkSeeding(t, () => new HopperEnv());
});

t.test('falls and terminates when unhealthy; survive bonus not paid then; info sums to the reward', async (t) => {
  const env = new HopperEnv();
  const [, resetInfo] = env.reset({ seed: 3 });
  t.same(Object.keys(resetInfo), ['x_position', 'z_distance_from_origin']);
  let steps = 0;
  let bad = 0;
  for (;;) {
    const [obs, r, term, trunc, info] = env.step(Float32Array.of(-1, 1, -1));
    steps++;
    const sum = (info.reward_forward as number) + (info.reward_survive as number) + (info.reward_ctrl as number);
    if (Math.abs(sum - r) > 1e-12 || trunc || obs.slice(5).some((v) => Math.abs(v) > 10)) bad++;
    const q = env.data.qpos as Float64Array;
    const healthy = q[1] > 0.7 && Math.abs(q[2]) < 0.2;
    if (healthy === term) bad++;
    if (term) {
      t.equal(info.reward_survive, 0);
      break;
    }
    if (info.reward_survive !== 1 || steps >= 1000) bad++;
  }
  t.equal(bad, 0, 'every step consistent');
  t.ok(steps < 1000, `terminated after ${steps} steps`);
  const noTerm = new HopperEnv({ terminate_when_unhealthy: false });
  noTerm.reset({ seed: 3 });
  let terminated = false;
  for (let i = 0; i < steps + 5; i++) terminated ||= noTerm.step(Float32Array.of(-1, 1, -1))[2];
  t.equal(terminated, false, 'terminate_when_unhealthy: false never terminates');
  env.close();
  noTerm.close();
});

t.test('random policy return is near §3.12 (15.65 ± 10.29; 100 episodes, ±25 %)', async (t) => {
  const env = make(ID);
  const rng = new Rng(9);
  let total = 0;
  env.reset({ seed: 42 });
  for (let ep = 0; ep < 100; ep++) {
    for (;;) {
      const [, r, term, trunc] = env.step(Float32Array.from({ length: 3 }, () => rng.uniform(-1, 1)));
      total += r;
      if (term || trunc) break;
    }
    env.reset();
  }
  const mean = total / 100;
  t.ok(mean > 15.65 * 0.75 && mean < 15.65 * 1.25, `mean random return ${mean}`);
  env.close();
});

t.test('speed', async (t) => {
  const env = new HopperEnv();
  t.comment(`${ID}: ${microsPerStep(env, 2000).toFixed(1)} µs per step`);
  env.close();
});
