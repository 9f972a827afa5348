import t from 'tap';
import { Rng } from '../../src/rng.js';
import { Box } from '../../src/spaces.js';
import { RescaleAction } from '../../src/wrappers/rescale-action.js';
import { ActionRecorderEnv as Recorder, DiscreteActionEnv } from '../helpers/toy-envs.js';


function sent(env: RescaleAction<Float32Array>, inner: Recorder, action: number[]): Float32Array {
  env.step(Float32Array.from(action));
  return inner.last as Float32Array;
}

t.test('min maps to low and max to high exactly, midpoints to midpoints', async (t) => {
  const inner = new Recorder([-2, 0.1, -0.3], [2, 0.7, 1e-3]);
  const env = new RescaleAction(inner, -1, 1);
  env.reset();
  t.same(sent(env, inner, [-1, -1, -1]), inner.actionSpace.low);
  t.same(sent(env, inner, [1, 1, 1]), inner.actionSpace.high);
  const mid = sent(env, inner, [0, 0, 0]);
  const { low, high } = inner.actionSpace;
  for (let i = 0; i < 3; i++) t.ok(Math.abs(mid[i] - (low[i] + high[i]) / 2) <= 1e-7, `midpoint ${i}`);
  t.ok(Math.abs(sent(env, inner, [0.5, 0.5, 0.5])[0] - 1) <= 1e-7, 'three quarters of the way');
  t.ok(Math.abs(sent(env, inner, [2, 0, 0])[0] - 4) <= 1e-6, 'outside [min, max] extrapolates, not clipped');
  const space = env.actionSpace as Box;
  t.same([Array.from(space.low), Array.from(space.high)], [[-1, -1, -1], [1, 1, 1]], 'own action space is Box(min, max)');
});

t.test('exact at the bounds for random bounds and per-component min/max', async (t) => {
  const rng = new Rng(3);
  let exact = 0;
  for (let trial = 0; trial < 200; trial++) {
    const lo = Array.from({ length: 4 }, () => rng.uniform(-100, 100));
    const hi = lo.map((l) => l + rng.uniform(1e-3, 50));
    const mn = Array.from({ length: 4 }, () => rng.uniform(-5, 5));
    const mx = mn.map((m) => m + rng.uniform(1e-2, 10));
    const inner = new Recorder(lo, hi);
    const env = new RescaleAction(inner, mn, mx);
    const space = env.actionSpace as Box;
    env.reset();
    const atMin = sent(env, inner, Array.from(space.low));
    const atMax = sent(env, inner, Array.from(space.high));
    if (atMin.every((v, i) => v === inner.actionSpace.low[i]) && atMax.every((v, i) => v === inner.actionSpace.high[i])) exact += 1;
  }
  t.equal(exact, 200, 'every trial hits low and high bit for bit');
});

t.test('bad bounds are clear errors', async (t) => {
  const inner = new Recorder([-2, -2], [2, 2]);
  t.throws(() => new RescaleAction(inner, [0, 1], [1, 1]), /min\[1\] = 1 must be strictly below max\[1\] = 1/);
  t.throws(() => new RescaleAction(inner, 1, -1), /strictly below/);
  t.throws(() => new RescaleAction(inner, [0, 0, 0], 1), /min has 3 entries, the env's action space needs 2/);
  t.throws(() => new RescaleAction(inner, -Infinity, 1), /min must be finite/);
  t.throws(() => new RescaleAction(new Recorder([-Infinity], [1]), -1, 1), /infinite bound/);
  t.throws(() => new RescaleAction(new DiscreteActionEnv(3) as never, -1, 1), /needs a Box action space, got Discrete\(3\)/);
  const env = new RescaleAction(inner, -1, 1);
  env.reset();
  t.throws(() => env.step(Float32Array.of(0)), /length 1/, 'wrong action length');
});
