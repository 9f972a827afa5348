import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Rng } from '../../src/rng.js';
import { Box, Discrete } from '../../src/spaces.js';
import { NormalizeObservation } from '../../src/wrappers/normalize-observation.js';

/** Emits offset, scaled Gaussian observations and remembers every raw one. */
class Noisy extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-Infinity, Infinity, [3]);
  readonly actionSpace = new Box(-1, 1, [1]);
  readonly seen: Float32Array[] = [];
  private readonly source = new Rng(11);
  private emit(): Float32Array {
    const o = Float32Array.of(1000 + this.source.normal(), -3 + 5 * this.source.normal(), this.source.random() < 0.5 ? 0 : 1);
    this.seen.push(o);
    return o;
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    return [this.emit(), {}];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    return [this.emit(), 0, false, false, {}];
  }
}

class DiscreteObs extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(4);
  readonly actionSpace = new Discrete(2);
  reset(): [number, Info] {
    return [0, {}];
  }
  step(): StepResult<number> {
    return [0, 0, false, false, {}];
  }
}

/**
 * Two-pass Float64 reference: the seen observations plus Gymnasium's prior, a weight-1e-4
 * pseudo-sample at mean 0 with variance 1.
 */
function reference(xs: Float32Array[], dim: number): { mean: number[]; var: number[] } {
  const c0 = 1e-4;
  const n = xs.length + c0;
  const mean = Array.from({ length: dim }, (_, j) => xs.reduce((s, x) => s + x[j], 0) / n);
  const variance = mean.map((m, j) => (c0 * (1 + m * m) + xs.reduce((s, x) => s + (x[j] - m) ** 2, 0)) / n);
  return { mean, var: variance };
}

/** Largest error relative to max(1, |expected|). */
function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let j = 0; j < expected.length; j++) worst = Math.max(worst, Math.abs(actual[j] - expected[j]) / Math.max(1, Math.abs(expected[j])));
  return worst;
}

const a = Float32Array.of(0);

t.test('matches a two-pass mean/variance of every observation seen, prior included', async (t) => {
  const inner = new Noisy();
  const env = new NormalizeObservation(inner);
  const outputs = [env.reset()[0]];
  for (let k = 0; k < 200; k++) outputs.push(env.step(a)[0]);
  for (const k of [0, 1, 2, 10, 200]) {
    const ref = reference(inner.seen.slice(0, k + 1), 3);
    const expected = Array.from(inner.seen[k], (x, j) => (x - ref.mean[j]) / Math.sqrt(ref.var[j] + 1e-8));
    t.ok(relErr(outputs[k], expected) <= 1e-6, `normalised observation ${k}`);
    if (k === 200) {
      t.ok(relErr(env.obsRms.mean, ref.mean) <= 1e-9, 'running mean');
      t.ok(relErr(env.obsRms.var, ref.var) <= 1e-9, 'running variance');
    }
  }
  t.equal(env.obsRms.count, 201 + 1e-4, 'count includes the 1e-4 prior');
  t.ok(outputs[0] instanceof Float32Array);
  const space = env.observationSpace as Box;
  t.same([space.shape, space.low[0], space.high[2]], [[3], -Infinity, Infinity], 'unbounded Box of the same shape');
});

t.test('updateRunningMean = false freezes the statistics', async (t) => {
  const inner = new Noisy();
  const env = new NormalizeObservation(inner);
  env.reset();
  for (let k = 0; k < 20; k++) env.step(a);
  const frozen = env.state();
  env.updateRunningMean = false;
  const out = env.step(a)[0];
  t.same(env.state(), frozen, 'statistics unchanged');
  const raw = inner.seen[inner.seen.length - 1];
  const expected = Array.from(raw, (x, j) => (x - frozen.obsRms.mean[j]) / Math.sqrt(frozen.obsRms.var[j] + 1e-8));
  t.ok(relErr(out, expected) <= 1e-6, 'normalised with the frozen statistics');
  env.updateRunningMean = true;
  env.step(a);
  t.not(env.obsRms.count, frozen.obsRms.count, 'updates again when unfrozen');
});

t.test('state round-trips through JSON into a fresh wrapper', async (t) => {
  const env = new NormalizeObservation(new Noisy());
  env.reset();
  for (let k = 0; k < 30; k++) env.step(a);
  const copy = new NormalizeObservation(new Noisy());
  copy.setState(JSON.parse(JSON.stringify(env.state())));
  t.same(copy.state(), env.state());
  const probe = Float32Array.of(999, 2, 0.5);
  env.updateRunningMean = copy.updateRunningMean = false;
  t.same(copy.observation(probe), env.observation(probe), 'same normalisation');
  t.throws(() => copy.setState({ obsRms: { mean: [0], var: [1], count: 1 } }), /'mean' has 1 entries, expected 3/);
  t.throws(() => copy.setState({ obsRms: { mean: [0, 0, 0], var: [1, -1, 1], count: 1 } }), /var\[1\]/);
});

t.test('non-Box observations and bad epsilon are clear errors', async (t) => {
  t.throws(() => new NormalizeObservation(new DiscreteObs() as never), /needs a Box observation space, got Discrete\(4\)/);
  t.throws(() => new NormalizeObservation(new Noisy(), 0), /epsilon/);
});
