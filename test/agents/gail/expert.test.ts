import t from 'tap';
import { expertFromPolicy, loadExpertFile, normalizedScore, validateExpert, type ExpertContext } from '../../../agents/gail/expert.js';
import '../../../envs/index.js';
import { initBackend } from '../../../src/backend.js';
import { Mlp } from '../../../src/nn/mlp.js';
import { writePolicy } from '../../../src/nn/policy.js';
import { Rng } from '../../../src/rng.js';
import { syntheticExpert } from '../../helpers/gail-fixtures.js';

await initBackend();

const pendulum: ExpertContext = { env: 'Pendulum-v1', envKwargs: {}, maxEpisodeSteps: null, obsDim: 3, actDim: 1 };

t.test('expert data from a saved policy: subsampled 1/20 per episode, Pendulum transitions, return statistics', async (t) => {
  const dir = t.testdir();
  const actor = new Mlp({ inputDim: 3, hidden: [8], outputDim: 1, activation: 'tanh' }, new Rng(1), 'actor');
  await writePolicy(dir, { algo: 'td3', mlp: actor, head: 'tanh' });
  const e = await expertFromPolicy(dir, pendulum, { episodes: 2, subsample: 20, seed: 5, randomEpisodes: 3 });
  t.equal(e.count, 20, '2 episodes of 200 steps, one transition in 20 each');
  t.equal(e.terminated.reduce((a, b) => a + b, 0), 0, 'Pendulum never terminates (time limits are not terminations)');
  for (let i = 0; i < e.count; i++) {
    const [c, s] = [e.obs[3 * i], e.obs[3 * i + 1]];
    if (Math.abs(c * c + s * s - 1) > 1e-5) t.fail(`row ${i}: (cos θ, sin θ) is not on the unit circle`);
    const a = e.actions[i];
    if (!(a >= -1 && a <= 1)) t.fail(`row ${i}: action ${a} outside [−1, 1]`);
  }
  t.ok(e.expertReturn < 0 && e.randomReturn < 0, 'Pendulum returns are negative');
  const again = await expertFromPolicy(dir, pendulum, { episodes: 2, subsample: 20, seed: 5, randomEpisodes: 3 });
  t.same(Array.from(again.obs), Array.from(e.obs), 'same seed, same data');
  t.doesNotThrow(() => validateExpert(e, pendulum));
  actor.dispose();
});

t.test('validation and the normalized score', async (t) => {
  const e = syntheticExpert(3, 1, 5, 1);
  t.throws(() => validateExpert(e, { ...pendulum, actDim: 2 }), /demonstrations have observations of shape \[3\] and actions of shape \[1\], the env has observations of shape \[3\] and actions of shape \[2\]/);
  t.throws(() => validateExpert({ ...e, obs: e.obs.subarray(1) }, pendulum), /obs has 14 values, expected 15/);
  t.throws(() => validateExpert({ ...e, actions: Float32Array.from([0, 0, NaN, 0, 0]) }, pendulum), /actions\[2\] is NaN/);
  t.equal(normalizedScore(-150, e), 1, 'the expert scores 1');
  t.equal(normalizedScore(-1200, e), 0, 'random scores 0');
  t.equal(normalizedScore(-675, e), 0.5);
  await t.rejects(loadExpertFile('demos.h5', pendulum, 4, 0), /no demonstrations loader is registered/);
});

t.test('imitate gail: expert data is required, and --demos goes through the demonstrations loader', async (t) => {
  await import('../../../agents/index.js');
  const { main } = await import('../../../src/cli.js');
  const run = async (...args: string[]) => {
    const err: string[] = [];
    const code = await main(['node', 'imitate', 'gail', ...args], { out: () => {}, err: (l) => err.push(l) });
    return { code, err: err.join('\n') };
  };
  const none = await run('--env', 'Pendulum-v1');
  t.equal(none.code, 1);
  t.match(none.err, /give the expert data with exactly one of --demos FILE or --expert-policy DIR/);
  const demos = await run('--env', 'Pendulum-v1', '--demos', 'demos.h5', '--out', t.testdir());
  t.equal(demos.code, 1);
  t.match(demos.err, /demonstrations demos\.h5: file not found/);
  const bad = await run('--env', 'Pendulum-v1', '--demos', 'x', '--learner', 'ppo');
  t.match(bad.err, /--learner must be one of sac, td3, got 'ppo'/);
});

t.test('the demonstrations loader: 4 shipped episodes subsampled 1/20, actions in [−1, 1], the file\'s returns; a mismatched env refused with both shapes', async (t) => {
  const { demosExpertLoader } = await import('../../../agents/gail/demos-expert.js');
  const file = new URL('../../../experts/Pendulum-v1/demos.h5', import.meta.url).pathname;
  const context = { env: 'Pendulum-v1', envKwargs: {}, maxEpisodeSteps: null, obsDim: 3, actDim: 1 };
  const a = await demosExpertLoader(file, context, 4, 7);
  t.equal(a.count, 40, '4 episodes of 200 steps at rate 20');
  t.equal(a.obs.length, 120);
  t.ok(a.actions.every((v) => v >= -1 && v <= 1));
  t.ok(a.expertReturn > -200 && a.expertReturn < -100, `expert return ${a.expertReturn}`);
  t.ok(a.randomReturn < -1000, `random return ${a.randomReturn}`);
  const b = await demosExpertLoader(file, context, 4, 7);
  t.same(b.obs, a.obs, 'same seed, same subsample');
  const c = await demosExpertLoader(file, context, 4, 8);
  t.notSame(c.obs, a.obs, 'another seed, other offsets');
  await t.rejects(demosExpertLoader(file, { ...context, env: 'MountainCarContinuous-v0', obsDim: 2 }, 4, 7), /observations of shape \[3\] and actions of shape \[1\]; MountainCarContinuous-v0 has \[2\] and \[1\]/);
});
