import t from 'tap';
import { editDistance, make, register, registerBuiltins, registeredEnvs, spec, unregister } from '../src/registry.js';
import { OrderEnforcing } from '../src/wrappers/order-enforcing.js';
import { TimeLimit } from '../src/wrappers/time-limit.js';
import { findWrapper } from '../src/wrappers/wrapper.js';
import { CountEnv, WalkEnv } from './helpers/toy-envs.js';

register('Walk-v0', () => new WalkEnv(), { maxEpisodeSteps: 5, rewardThreshold: 0, description: 'toy walk' });
register('Count-v1', (kw) => new CountEnv(kw.target as number), { kwargs: { target: 3 } });

t.test('make applies the spec: kwargs, TimeLimit, OrderEnforcing, spec on the env', async (t) => {
  const env = make('Walk-v0');
  t.equal(env.spec?.id, 'Walk-v0');
  t.equal(env.spec?.rewardThreshold, 0);
  t.ok(findWrapper(env, TimeLimit));
  t.equal(findWrapper(env, TimeLimit)?.maxEpisodeSteps, 5);
  t.ok(findWrapper(env, OrderEnforcing));
  t.ok(env.unwrapped instanceof WalkEnv);
  t.throws(() => env.step(new Float32Array([0])), /step\(\) called before reset\(\)/);
  env.reset({ seed: 1 });
  let truncated = false;
  let steps = 0;
  while (!truncated) {
    [, , , truncated] = env.step(new Float32Array([0]));
    steps += 1;
  }
  t.equal(steps, 5, 'truncated at exactly maxEpisodeSteps');

  const count = make('Count-v1', { kwargs: { target: 2 } });
  t.equal((count.unwrapped as CountEnv).target, 2, 'caller kwargs override spec kwargs');
  t.equal((make('Count-v1').unwrapped as CountEnv).target, 3, 'spec kwargs are the default');
  t.equal(findWrapper(count, TimeLimit), null, 'no limit registered, no TimeLimit');
  t.equal(findWrapper(make('Walk-v0', { maxEpisodeSteps: null }), TimeLimit), null, 'null removes the limit');
  t.equal(findWrapper(make('Count-v1', { maxEpisodeSteps: 9 }), TimeLimit)?.maxEpisodeSteps, 9);
});

t.test('make wraps a ready instance the same way', async (t) => {
  const env = make(new WalkEnv(), { maxEpisodeSteps: 3 });
  t.equal(findWrapper(env, TimeLimit)?.maxEpisodeSteps, 3);
  t.throws(() => make(new WalkEnv(), { kwargs: { a: 1 } }), /kwargs apply only/);
});

t.test('unknown ids name the closest registered ones', async (t) => {
  t.throws(() => make('Walk-v9'), /No env registered with id 'Walk-v9'\. Registered versions of 'Walk': Walk-v0/);
  t.throws(() => make('Wlak-v0'), /Did you mean: Walk-v0/);
  t.throws(() => spec('Nothing-v0'), /imitate envs/);
  t.equal(editDistance('kitten', 'sitting'), 3);
});

t.test('register validates its input and refuses silent overrides', async (t) => {
  t.throws(() => register('bad id!', () => new WalkEnv()), /invalid env id/);
  t.throws(() => register('Walk-v0', () => new WalkEnv()), /already registered/);
  t.throws(() => register('X-v0', 'nope' as never), /factory must be a function/);
  t.throws(() => register('X-v0', () => new WalkEnv(), { maxEpisodeSteps: 0 }), /positive integer/);
  register('ns/Walk-v1', () => new WalkEnv(), { maxEpisodeSteps: 7 });
  register('ns/Walk-v1', () => new WalkEnv(), { maxEpisodeSteps: 8, override: true });
  t.equal(spec('ns/Walk-v1').maxEpisodeSteps, 8);
  t.ok(registeredEnvs().some((s) => s.id === 'ns/Walk-v1'));
  t.ok(unregister('ns/Walk-v1'));
  register('Broken-v0', () => null as never);
  t.throws(() => make('Broken-v0'), /factory returned null/);
});

t.test('registerBuiltins skips ids already registered and keeps the earlier registration', async (t) => {
  registerBuiltins([
    ['Walk-v0', () => new WalkEnv(), { maxEpisodeSteps: 99 }],
    ['Builtin-v0', () => new WalkEnv(), { maxEpisodeSteps: 4 }],
  ]);
  t.equal(spec('Walk-v0').maxEpisodeSteps, 5, 'the existing Walk-v0 is kept');
  t.equal(spec('Builtin-v0').maxEpisodeSteps, 4, 'a new id is registered');
  t.doesNotThrow(() => registerBuiltins([['Builtin-v0', () => new WalkEnv(), {}]]), 'a second call does not fail');
});
