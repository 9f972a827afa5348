import t from 'tap';
import { CartPoleEnv } from '../../envs/cartpole.js';
import { make, spec } from '../../src/registry.js';
import { checkFixtures, checkSeeding, firstFlagStep, runToEnd } from '../helpers/classic-control-fixtures.js';

const ID = 'CartPole-v1';

t.test('matches Gymnasium step for step (fixtures)', async (t) => {
  const warnings = t.capture(console, 'warn', () => {});
  const cases = checkFixtures(t, ID);
  t.equal(firstFlagStep(cases, 'balance-truncate', 'truncated'), 500, 'fixture: Gymnasium truncates at step 500');
  t.ok(warnings().length > 0, 'stepping after termination warned');
});

t.test('registration and time limit', async (t) => {
  t.equal(spec(ID).maxEpisodeSteps, 500);
  t.equal(spec(ID).rewardThreshold, 475);
  const env = make(ID);
  env.reset({ seed: 3 });
  t.ok(env.unwrapped instanceof CartPoleEnv);
  // Keep the pole up with a simple feedback law until the time limit.
  const inner = env.unwrapped as CartPoleEnv;
  const balance = () => {
    const [x, xDot, theta, thetaDot] = inner.state!;
    return theta + 0.5 * thetaDot + 0.05 * x + 0.1 * xDot > 0 ? 1 : 0;
  };
  t.same(runToEnd(env, balance), [500, false, true], 'balanced pole is truncated at exactly step 500');
  t.throws(() => make('CartPole-v2'), /CartPole-v1/);
});

t.test('seeding: same seed same episode, different seeds differ', async (t) => {
  checkSeeding(t, ID, 21, 300, (actions) => actions.int(2));
});

t.test('reset distribution and options', async (t) => {
  const env = new CartPoleEnv();
  env.reset({ seed: 2 });
  let outside = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 1000; i++) {
    env.reset();
    for (const v of env.state!) {
      if (!(v >= -0.05 && v <= 0.05)) outside += 1;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  t.equal(outside, 0, '1000 resets: all four components in [−0.05, 0.05]');
  t.ok(lo < -0.049 && hi > 0.049, 'the components cover the interval');
  for (let i = 0; i < 100; i++) {
    env.reset({ options: { low: 0.1, high: 0.2 } });
    if (env.state!.some((v) => v < 0.1 || v > 0.2)) t.fail(`low/high not honoured: ${env.state}`);
  }
  env.reset({ options: { low: -0.01 } });
  t.ok(env.state!.every((v) => v >= -0.01 && v <= 0.05), 'high keeps its default when only low is given');
  t.throws(() => env.reset({ options: { low: 1, high: 0 } }), /must not exceed/);
  t.throws(() => env.reset({ options: { high: '0.1' } }), /'high' must be a finite number/);
});

t.test('kwargs: sutton_barto_reward', async (t) => {
  t.equal(new CartPoleEnv({ sutton_barto_reward: true }).suttonBartoReward, true);
  t.equal(new CartPoleEnv().suttonBartoReward, false);
  t.throws(() => new CartPoleEnv({ sutton_barto: true } as never), /sutton_barto/);
  t.throws(() => make(ID, { kwargs: { sutton_barto_reward: 1 } }), /sutton_barto_reward/);
  const env = new CartPoleEnv({ sutton_barto_reward: true });
  env.reset({ seed: 0 });
  t.equal(env.step(1)[1], 0, 'no reward while upright');
});

t.test('stepping after termination: reward 0 and a single warning', async (t) => {
  const warnings = t.capture(console, 'warn', () => {});
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.state = [0, 0, 0.2, 0.5];
  const first = env.step(1);
  t.equal(first[2], true, 'terminated');
  t.equal(first[1], 1, 'the terminating step still earns 1');
  t.equal(env.step(1)[1], 0);
  t.equal(env.step(0)[1], 0);
  t.equal(env.stepsBeyondTerminated, 2);
  const calls = warnings();
  t.equal(calls.length, 1, 'one warning');
  t.match(String(calls[0].args[0]), /reset\(\)/);
  env.reset();
  t.equal(env.stepsBeyondTerminated, null, 'reset clears the termination count');
});

t.test('bad actions throw clear errors', async (t) => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  t.throws(() => env.step(2), /2 is outside \{0, \.\.\., 1\}/);
  t.throws(() => env.step(-1), /outside/);
  t.throws(() => env.step(0.5), /integer/);
  t.throws(() => env.step(NaN), /integer/);
  t.throws(() => env.step('1' as never), /integer/);
  t.throws(() => env.step(Float32Array.of(1) as never), /integer/);
  t.throws(() => new CartPoleEnv().step(0), /reset/);
  t.match(env.render(), /^CartPole x=/);
});
