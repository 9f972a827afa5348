import t, { type Test } from 'tap';
import { compileModel, isMujocoLoaded, loadMujoco, MjcfError, validateMjcf } from '../../../envs/mujoco/loader.js';
import { InvertedPendulumEnv } from '../../../envs/mujoco/inverted-pendulum.js';
import { make } from '../../../src/registry.js';
import '../../../envs/mujoco/index.js';

const GOOD = `<mujoco model="m">
  <worldbody>
    <body name="b">
      <joint name="j" type="slide" axis="1 0 0"/>
      <geom type="sphere" size="0.1"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="j" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;

t.test('before loadMujoco, making a MuJoCo env says what to do', async (t) => {
  t.equal(isMujocoLoaded(), false);
  t.throws(() => new InvertedPendulumEnv(), /call `await loadMujoco\(\)`/);
  t.throws(() => make('InvertedPendulum-v5'), /InvertedPendulum-v5.*await loadMujoco/);
  t.throws(() => compileModel(GOOD, 'm'), /await loadMujoco/);
});

t.test('loadMujoco loads once', async (t) => {
  const [a, b] = await Promise.all([loadMujoco(), loadMujoco()]);
  t.equal(a, b);
  t.equal(await loadMujoco(), a);
  t.equal(a.mj_versionString(), '3.3.8');
  t.equal(isMujocoLoaded(), true);
});

const expectMjcf = (t: Test, xml: string, line: number, pattern: RegExp) => {
  t.throws(() => validateMjcf(xml, 'bad-model'), MjcfError);
  try {
    validateMjcf(xml, 'bad-model');
  } catch (e) {
    t.match((e as MjcfError).message, /^model 'bad-model', line \d+/);
    t.equal((e as MjcfError).line, line, `line of: ${(e as Error).message}`);
    t.match((e as Error).message, pattern);
  }
};

t.test('validateMjcf names the element and line of the problem', async (t) => {
  t.equal(validateMjcf(GOOD, 'm').length, 7);
  expectMjcf(t, GOOD.replace('</body>', '</bodyy>'), 6, /<\/bodyy> does not match <body> opened on line 3/);
  expectMjcf(t, GOOD.replace('</mujoco>', ''), 1, /<mujoco> is never closed/);
  expectMjcf(t, GOOD.replace('size="0.1"', 'size=0.1'), 5, /size=0.1 is not quoted/);
  expectMjcf(t, GOOD.replace('size="0.1"', 'size="0.1" size="0.2"'), 5, /given twice/);
  expectMjcf(t, GOOD.replace('<geom type="sphere" size="0.1"/>', '<geom type="capsule" fromto="0 0 0 0 0 1" pos="0 0 0.5" size="0.1" name="leg"/>'), 5, /<geom>.*both fromto and pos.*name="leg"/);
  expectMjcf(t, GOOD.replace('joint="j" ctrl', 'joint="jj" ctrl'), 9, /<motor>: joint="jj" names no joint.*joints: j/);
  expectMjcf(t, GOOD.replace('size="0.1"', 'size="0.1x"'), 5, /size="0.1x" must be numbers/);
  expectMjcf(t, GOOD.replace('<geom', '<goem'), 5, /unknown element <goem> inside <body>/);
  expectMjcf(t, GOOD.replace('<mujoco model="m">', '<robot>').replace('</mujoco>', '</robot>'), 1, /root element must be <mujoco>/);
  expectMjcf(t, GOOD.replace('<body name="b">', '<body name="b"'), 3, /never closed|malformed|parse/);
});

t.test('compileModel compiles valid XML and names the model when MuJoCo rejects it', async (t) => {
  const model = compileModel(GOOD, 'm');
  t.same([model.nq, model.nv, model.nu], [1, 1, 1]);
  model.delete();
  // passes our checks, but MuJoCo rejects a zero-length fromto
  t.throws(() => compileModel(GOOD.replace('type="sphere" size="0.1"', 'type="capsule" fromto="0 0 0 0 0 0" size="0.1"'), 'zero-capsule'), /could not compile model 'zero-capsule'.*model compiler error/);
  t.throws(() => compileModel(GOOD.replace('</body>', '</bodyy>'), 'bad'), /model 'bad', line 6/);
});
