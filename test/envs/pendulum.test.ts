import t from 'tap';
import { PendulumEnv, angleNormalize } from '../../envs/pendulum.js';
import { make, spec } from '../../src/registry.js';
import { checkFixtures, checkSeeding, firstFlagStep, runToEnd } from '../helpers/classic-control-fixtures.js';

const ID = 'Pendulum-v1';

t.test('matches Gymnasium step for step (fixtures)', async (t) => {
  const cases = checkFixtures(t, ID);
  t.equal(firstFlagStep(cases, 'spin-truncate', 'truncated'), 200, 'fixture: Gymnasium truncates at step 200');
});

t.test('registration and time limit', async (t) => {
  t.equal(spec(ID).maxEpisodeSteps, 200);
  t.equal(spec(ID).rewardThreshold, undefined);
  const env = make(ID);
  env.reset({ seed: 3 });
  t.same(runToEnd(env, () => Float32Array.of(0)), [200, false, true], 'never terminates; truncated at exactly step 200');
  t.throws(() => make('Pendulum-v9'), /Pendulum-v1/);
});

t.test('angle_normalize is a floored modulo into [−π, π)', async (t) => {
  t.equal(angleNormalize(Math.PI), -Math.PI);
  t.ok(Math.abs(angleNormalize(-3 * Math.PI - 0.5) - (Math.PI - 0.5)) < 1e-12);
  t.ok(Math.abs(angleNormalize(7 * Math.PI + 0.25) - (-Math.PI + 0.25)) < 1e-12);
  t.equal(angleNormalize(0.5), 0.5 + Math.PI - Math.PI);
});

t.test('seeding: same seed same episode, different seeds differ', async (t) => {
  checkSeeding(t, ID, 7, 250, (actions) => Float32Array.of(actions.uniform(-3, 3)));
});

t.test('reset distribution and options', async (t) => {
  const env = new PendulumEnv();
  env.reset({ seed: 1 });
  let minTh = Infinity;
  let maxTh = -Infinity;
  let outside = 0;
  for (let i = 0; i < 1000; i++) {
    const [obs] = env.reset();
    const [th, thdot] = env.state!;
    if (!(th >= -Math.PI && th <= Math.PI && thdot >= -1 && thdot <= 1 && env.observationSpace.contains(obs))) outside += 1;
    minTh = Math.min(minTh, th);
    maxTh = Math.max(maxTh, th);
  }
  t.equal(outside, 0, '1000 resets inside θ ∈ [−π, π], θ̇ ∈ [−1, 1]');
  t.ok(minTh < -3 && maxTh > 3, 'θ covers (−π, π)');
  for (let i = 0; i < 200; i++) {
    env.reset({ options: { x_init: 0.5, y_init: 0.1 } });
    const [th, thdot] = env.state!;
    if (Math.abs(th) > 0.5 || Math.abs(thdot) > 0.1) t.fail(`x_init/y_init not honoured: ${th}, ${thdot}`);
  }
  env.reset({ options: { x_init: 0, y_init: 0 } });
  t.same(Array.from(env.state!), [0, 0], 'zero bounds give the upright rest state');
  t.throws(() => env.reset({ options: { x_init: 'wide' } }), /x_init/);
});

t.test('kwargs', async (t) => {
  t.equal(new PendulumEnv({ g: 9.81 }).g, 9.81);
  t.equal(new PendulumEnv().g, 10);
  t.equal((make(ID, { kwargs: { g: 3 } }).unwrapped as PendulumEnv).g, 3);
  t.throws(() => new PendulumEnv({ gravity: 9.81 } as never), /Pendulum-v1[\s\S]*gravity/);
  t.throws(() => make(ID, { kwargs: { G: 1 } }), /"G"/);
  t.throws(() => new PendulumEnv({ g: 'ten' } as never), /g:/);
});

t.test('actions: out-of-range clipped, malformed rejected', async (t) => {
  const env = new PendulumEnv();
  const stepFrom = (u: number) => {
    env.reset({ seed: 0 });
    env.state = [1.0, 0.5];
    return env.step(Float32Array.of(u));
  };
  t.same(stepFrom(50), stepFrom(2), 'torque 50 acts (and costs) as 2');
  t.same(stepFrom(-7), stepFrom(-2));
  env.reset({ seed: 0 });
  t.throws(() => env.step(Float32Array.of(1, 2)), /length 2/);
  t.throws(() => env.step(Float32Array.of(NaN)), /NaN/);
  t.throws(() => env.step(0.5 as never), /Float32Array/);
  t.throws(() => new PendulumEnv().step(Float32Array.of(0)), /reset/);
  t.match(env.render(), /^Pendulum θ=/);
});
