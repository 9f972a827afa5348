import t from 'tap';
import { AntEnv } from '../../../envs/mujoco/ant.js';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import '../../../envs/mujoco/index.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, spec } from '../../../src/registry.js';
import { Rng } from '../../../src/rng.js';
import { checkSeeding, microsPerStep } from './helpers.js';

const ID = 'Ant-v5';
await loadMujoco();

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

t.test('model facts match spec/environments.md §3.3, 3.9', async (t) => {
  const env = new AntEnv();
  const m = env.model;
  t.same([m.nq, m.nv, m.nu, m.nbody], [15, 14, 8, 14]);
  const mass = m.body_mass as Float64Array;
  t.ok(close(mass[1], 0.32725, 1e-4), `torso mass ${mass[1]}`);
  for (let leg = 0; leg < 4; leg++) {
    const b = 2 + 3 * leg;
    t.ok(close(mass[b], 0.03916, 1e-3) && close(mass[b + 1], 0.03916, 1e-3) && close(mass[b + 2], 0.06759, 1e-3), `leg ${leg + 1} masses`);
    t.ok(close(mass[b] + mass[b + 1] + mass[b + 2], 0.14591, 1e-4), `leg ${leg + 1} total`);
  }
  t.ok(close(mass.reduce((a, b) => a + b, 0), 0.91088, 1e-4), 'total mass');
  const inertia = m.body_inertia as Float64Array;
  t.ok(close(inertia[3], 0.008181, 1e-3) && close(inertia[12], 0.002675, 1e-3), 'torso and lower-leg inertia');
  t.same(Array.from(env.initQpos), [0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // actuators drive hip_4, ankle_4, hip_1, ankle_1, ... (joint ids 7, 8, 1, 2, 3, 4, 5, 6)
  t.same(Array.from(m.actuator_trnid as Int32Array).filter((_, i) => i % 2 === 0), [7, 8, 1, 2, 3, 4, 5, 6]);
  t.same(Array.from(m.actuator_gear as Float64Array).filter((_, i) => i % 6 === 0), new Array(8).fill(150));
  env.reset({ seed: 0 });
  env.setState(env.initQpos, env.initQvel);
  const xpos = env.data.xpos as Float64Array;
  const tip = Array.from({ length: 3 }, (_, k) => xpos[3 * 4 + k] + [0.4, 0.4, 0][k]);
  t.same(tip.map((v) => Math.round(v * 1e9) / 1e9), [0.8, 0.8, 0.75], 'foot tip of leg 1 at (0.8, 0.8, 0.75)');
  t.equal(env.dt, 0.05);
  t.same(env.observationSpace.shape, [105]);
  t.same(new AntEnv({ exclude_current_positions_from_observation: false }).observationSpace.shape, [107]);
  t.same(new AntEnv({ include_cfrc_ext_in_observation: false }).observationSpace.shape, [27]);
  t.equal(new AntEnv({ main_body: 'torso' }).mainBody, 1);
  t.throws(() => new AntEnv({ main_body: 'tail' }), /main_body "tail"/);
  t.equal(spec(ID).maxEpisodeSteps, 1000);
  t.equal(spec(ID).rewardThreshold, 6000);
  env.close();
});

t.test('zero action from qpos0 reproduces the measured pose at step 200 (§3.9)', async (t) => {
  const env = new AntEnv({ reset_noise_scale: 0 });
  env.reset({ seed: 0 });
  for (let i = 0; i < 200; i++) env.step(new Float32Array(8));
  const q = env.data.qpos as Float64Array;
  t.ok(Math.abs(q[2] - 0.472) < 5e-4, `torso z ${q[2]}`);
  for (const k of [8, 10, 12, 14]) t.ok(Math.abs(Math.abs(q[k]) - 0.742) < 5e-4, `ankle ${q[k]}`);
  env.close();
});

t.test('checkEnv passes', async (t) => {
  t.same(checkEnv(new AntEnv(), { steps: 100 }).warnings, []);
});

t.test('seeding: same seed same episodes, different seeds differ', async (t) => {
  checkSeeding(t, () => new AntEnv(), 30);
});

t.test('random policy: info sums to the reward; episodes end with the torso above 1 m (§3.9)', async (t) => {
  const env = make(ID);
  const rng = new Rng(5);
  env.reset({ seed: 42 });
  let total = 0;
  let bad = 0;
  let high = 0;
  const episodes = 20;
  for (let ep = 0; ep < episodes; ep++) {
    for (;;) {
      const [obs, r, term, trunc, info] = env.step(Float32Array.from({ length: 8 }, () => rng.uniform(-1, 1)));
      total += r;
      const sum = (info.reward_forward as number) + (info.reward_survive as number) + (info.reward_ctrl as number) + (info.reward_contact as number);
      const contact = -(info.reward_contact as number);
      if (Math.abs(sum - r) > 1e-12 || contact < 0 || contact > 0.039 + 1e-12 || (obs as Float32Array).slice(27).some((v) => Math.abs(v) > 1)) bad++;
      if (term) {
        const z = (env.unwrapped as AntEnv).data.qpos[2] as number;
        if (z > 1) high++;
        if (info.reward_survive !== 0 || (z >= 0.2 && z <= 1)) bad++;
      } else if (info.reward_survive !== 1) bad++;
      if (term || trunc) break;
    }
    env.reset();
  }
  t.equal(bad, 0, 'every step consistent');
  t.ok(high >= episodes * 0.75, `${high} of ${episodes} episodes ended above z = 1`);
  const mean = total / episodes;
  // Gymnasium's own Ant-v5 over 1000 random episodes with MuJoCo < 3.5's contact margins (the
  // engine's rule here): −59.94 ± 101.00 (docs/benchmarks.md); within 3 standard errors of 20.
  const [ref, refStd] = [-59.94, 101.0];
  t.ok(Math.abs(mean - ref) < (3 * refStd) / Math.sqrt(episodes), `mean random return ${mean}`);
  env.close();
});

t.test('speed', async (t) => {
  const env = new AntEnv();
  t.comment(`${ID}: ${microsPerStep(env, 1000).toFixed(1)} µs per step`);
  env.close();
});
