import t from 'tap';
import { InvertedDoublePendulumEnv } from '../../../envs/mujoco/inverted-double-pendulum.js';
import { InvertedPendulumEnv } from '../../../envs/mujoco/inverted-pendulum.js';
import { loadMujoco } from '../../../envs/mujoco/loader.js';
import { CustomMujocoEnv, registerMujocoEnv, type MujocoEnvDefinition } from '../../../envs/mujoco/mujoco-env.js';
import { checkEnv } from '../../../src/check-env.js';
import { make, unregister } from '../../../src/registry.js';

await loadMujoco();

const SLIDER = `<mujoco model="slider">
  <option timestep="0.01"/>
  <worldbody>
    <body name="block">
      <joint name="x" type="slide" axis="1 0 0" damping="1"/>
      <geom type="box" size="0.1 0.1 0.1"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="x" gear="10" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;

const DEF: MujocoEnvDefinition = {
  xml: SLIDER,
  frameSkip: 4,
  resetNoiseScale: 0.1,
  observationSize: 2,
  observation: ({ qpos, qvel }) => [qpos[0], qvel[0]],
  reward: ({ qpos, qposBefore, dt }) => {
    const v = (qpos[0] - qposBefore[0]) / dt;
    return { reward: v, terminated: qpos[0] > 1, info: { x_velocity: v } };
  },
};

t.test('registerMujocoEnv: a custom env in a few lines', async (t) => {
  registerMujocoEnv('test/Slider-v0', DEF, { maxEpisodeSteps: 50 });
  t.teardown(() => unregister('test/Slider-v0'));
  const env = make('test/Slider-v0', { kwargs: { frame_skip: 2, reset_noise_scale: 0 } });
  const [obs] = env.reset({ seed: 0 });
  t.equal(obs.constructor, Float32Array);
  t.same(Array.from(obs as Float32Array), [0, 0], 'no noise with reset_noise_scale 0');
  const [, r, , , info] = env.step(Float32Array.of(1));
  t.ok(r > 0, 'pushed forward');
  t.equal(info.x_velocity, r);
  t.equal((env.unwrapped as CustomMujocoEnv).dt, 0.02);
  t.throws(() => make('test/Slider-v0', { kwargs: { frame_skp: 2 } }), /frame_skp/);
  env.close();
  t.same(checkEnv(new CustomMujocoEnv('Slider', DEF)).warnings, []);
  t.throws(() => new CustomMujocoEnv('BadSlider', { ...DEF, xml: SLIDER.replace('joint="x" gear', 'joint="y" gear') }), /BadSlider.*joint="y" names no joint/);
});

t.test('envs sharing a model have independent state; the model is compiled once', async (t) => {
  const a = new InvertedPendulumEnv();
  const b = new InvertedPendulumEnv();
  t.equal(a.model, b.model);
  a.reset({ seed: 1 });
  b.reset({ seed: 2 });
  const before = Array.from(b.data.qpos as Float64Array);
  a.step(Float32Array.of(3));
  t.same(Array.from(b.data.qpos as Float64Array), before);
  a.close();
  a.close();
  t.doesNotThrow(() => b.step(Float32Array.of(0)), 'closing one env leaves the other usable');
  b.close();
});

t.test('memory stays flat over 2000 create/reset/close cycles', async (t) => {
  const cycle = () => {
    const env = new InvertedDoublePendulumEnv();
    env.reset({ seed: 0 });
    env.step(Float32Array.of(0.5));
    env.close();
  };
  for (let i = 0; i < 200; i++) cycle();
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 2000; i++) cycle();
  const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
  t.ok(grown < 30, `RSS grew ${grown.toFixed(1)} MiB`);
  const env = new InvertedPendulumEnv();
  env.reset({ seed: 0 });
  for (let i = 0; i < 2000; i++) env.reset();
  env.close();
});
