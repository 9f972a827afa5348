import t from 'tap';
import { Box } from '../../src/spaces.js';
import { ClipAction } from '../../src/wrappers/clip-action.js';
import { ActionRecorderEnv, DiscreteActionEnv } from '../helpers/toy-envs.js';

const Recorder = class extends ActionRecorderEnv {
  constructor() {
    super([-1, 0, -0.5], [1, 2, 0.25]);
  }
};


t.test('clips each component to the env bounds', async (t) => {
  const inner = new Recorder();
  const env = new ClipAction(inner);
  env.reset();
  const action = Float32Array.of(5, -3, 0.1);
  env.step(action);
  t.same(Array.from(inner.last as Float32Array), [1, 0, 0.1].map(Math.fround));
  t.same(Array.from(action), [5, -3, 0.1].map(Math.fround), "the caller's action is not modified");
  env.step(Float32Array.of(-1e9, 1e9, -0.5));
  t.same(Array.from(inner.last as Float32Array), [-1, 2, -0.5]);
  env.step(Float32Array.of(0.3, 1, 0));
  t.same(Array.from(inner.last as Float32Array), [0.3, 1, 0].map(Math.fround), 'in-range actions pass unchanged');
});

t.test('own action space is unbounded with the env shape (Gymnasium >= 1.0)', async (t) => {
  const env = new ClipAction(new Recorder());
  const space = env.actionSpace as Box;
  t.same(space.shape, [3]);
  t.ok(Array.from(space.low).every((v) => v === -Infinity) && Array.from(space.high).every((v) => v === Infinity));
  t.same(Array.from((env.env.actionSpace as Box).high), [1, 2, 0.25], 'env bounds untouched');
});

t.test('bad actions and non-Box spaces are clear errors', async (t) => {
  const env = new ClipAction(new Recorder());
  env.reset();
  t.throws(() => env.step(Float32Array.of(NaN, 0, 0)), /entry 0 is NaN/);
  t.throws(() => env.step(Float32Array.of(0, 0)), /length 2/);
  t.throws(() => new ClipAction(new DiscreteActionEnv() as never), /needs a Box action space, got Discrete\(2\)/);
});
