import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import {
  AdaptiveParamNoise,
  createActionNoise,
  GaussianActionNoise,
  OrnsteinUhlenbeckNoise,
  rmsActionDistance,
} from '../../agents/noise.js';
import { initBackend } from '../../src/backend.js';
import { Rng } from '../../src/rng.js';

await initBackend();

t.test('Gaussian noise has mean 0 and std sigma; state round trip replays draws', async (t) => {
  const noise = new GaussianActionNoise(4, 0.3, new Rng(1).stream('g'));
  let sum = 0;
  let sq = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    for (const v of noise.sample()) {
      sum += v;
      sq += v * v;
    }
  }
  const mean = sum / (4 * n);
  t.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  t.ok(Math.abs(Math.sqrt(sq / (4 * n) - mean * mean) - 0.3) < 0.01);
  const saved = JSON.parse(JSON.stringify(noise.state()));
  const expected = [noise.sample(), noise.sample()];
  const other = new GaussianActionNoise(4, 0.3, new Rng(99));
  other.setState(saved);
  t.same([other.sample(), other.sample()], expected);
  t.throws(() => other.setState({ kind: 'ou', x: [0], rng: saved.rng }), /expected kind 'gaussian'/);
});

t.test('OU process reverts to its mean at rate theta', async (t) => {
  // Without diffusion, x_n = μ + (x0 − μ)(1 − θ·dt)^n exactly.
  const det = new OrnsteinUhlenbeckNoise(2, { sigma: 0, theta: 0.15, dt: 0.01, mu: 0.5, x0: [1.5, -0.5] }, new Rng(0));
  let x = det.sample();
  for (let i = 1; i < 1000; i++) x = det.sample();
  const decay = Math.pow(1 - 0.0015, 1000);
  t.ok(Math.abs(x[0] - (0.5 + decay)) < 1e-5);
  t.ok(Math.abs(x[1] - (0.5 - decay)) < 1e-5);
  det.reset();
  t.ok(Math.abs(det.sample()[0] - (1.5 - 0.0015)) < 1e-6, 'reset returns to x0');

  // With noise, the mean over many independent coordinates follows the same decay.
  const dim = 2000;
  const ou = new OrnsteinUhlenbeckNoise(dim, { sigma: 0.2, x0: 1 }, new Rng(3).stream('ou'));
  let s = ou.sample();
  for (let i = 1; i < 200; i++) s = ou.sample();
  const mean = s.reduce((a, b) => a + b, 0) / dim;
  const expectedMean = Math.pow(1 - 0.0015, 200);
  // Std of the mean: √(var_200 / dim) ≈ √(0.13·0.45/2000) ≈ 0.0055.
  t.ok(Math.abs(mean - expectedMean) < 0.025, `mean ${mean} vs ${expectedMean}`);
});

t.test('OU stationary variance matches σ²/(2θ)', async (t) => {
  const dim = 2000;
  const ou = new OrnsteinUhlenbeckNoise(dim, { sigma: 0.2, theta: 0.15, dt: 0.01 }, new Rng(11).stream('ou'));
  // 4000 steps: the start's influence decays as (1 − θ·dt)^(2n) = e^-12.
  let x = ou.sample();
  for (let i = 1; i < 4000; i++) x = ou.sample();
  let sum = 0;
  let sq = 0;
  for (const v of x) {
    sum += v;
    sq += v * v;
  }
  const variance = sq / dim - (sum / dim) ** 2;
  const analytic = (0.2 * 0.2) / (2 * 0.15);
  t.ok(Math.abs(ou.stationaryVariance() - analytic) / analytic < 0.002, 'discrete and continuous variances agree');
  // Relative standard error of a variance over 2000 samples is √(2/2000) ≈ 3 %.
  t.ok(Math.abs(variance - analytic) / analytic < 0.1, `variance ${variance} vs ${analytic}`);

  ou.reset();
  const state = ou.state();
  t.same(state.kind === 'ou' ? state.x.slice(0, 3) : null, [0, 0, 0], 'reset returns to 0');
});

t.test('OU state round trip continues exactly', async (t) => {
  const ou = new OrnsteinUhlenbeckNoise(3, { sigma: 0.5, theta: 0.2, dt: 0.05 }, new Rng(5).stream('ou'));
  for (let i = 0; i < 17; i++) ou.sample();
  const saved = JSON.parse(JSON.stringify(ou.state()));
  const expected = [ou.sample(), ou.sample(), ou.sample()];
  const resumed = new OrnsteinUhlenbeckNoise(3, { sigma: 0.5, theta: 0.2, dt: 0.05 }, new Rng(5).stream('ou'));
  resumed.setState(saved);
  t.same([resumed.sample(), resumed.sample(), resumed.sample()], expected);
  t.throws(() => resumed.setState({ ...saved, x: [1, 2] }), /array of 3 numbers/);
  t.throws(() => new OrnsteinUhlenbeckNoise(2, { sigma: 0.1, x0: [1] }, new Rng(0)), /x0 has length 1, expected 2/);
  t.throws(() => new OrnsteinUhlenbeckNoise(2, { sigma: -1 }, new Rng(0)), /OU sigma must be a non-negative/);
});

t.test('createActionNoise builds what the spec names', async (t) => {
  t.equal(createActionNoise({ type: 'none', sigma: 0.1 }, 2, new Rng(0)), null);
  t.equal(createActionNoise({ type: 'gaussian', sigma: 0.1 }, 2, new Rng(0))?.kind, 'gaussian');
  const ou = createActionNoise({ type: 'ou', sigma: 0.2, theta: 0.3, dt: 0.1 }, 2, new Rng(0)) as OrnsteinUhlenbeckNoise;
  t.equal(ou.theta, 0.3);
  t.equal(ou.dt, 0.1);
});

t.test('adaptive parameter noise grows when too close and shrinks when too far', async (t) => {
  const pn = new AdaptiveParamNoise({}, new Rng(0).stream('pn'));
  t.equal(pn.currentStd, 0.2);
  t.equal(pn.targetDistance, 0.2);
  t.equal(pn.distance, null);
  t.ok(Math.abs(pn.adapt(0.1) - 0.2 * 1.01) < 1e-15, 'below target: ×1.01');
  t.equal(pn.distance, 0.1);
  pn.adapt(0.5);
  pn.adapt(0.5);
  t.ok(Math.abs(pn.currentStd - 0.2 / 1.01) < 1e-15, 'above target: ÷1.01');
  t.throws(() => pn.adapt(Number.NaN), /non-negative finite/);
  t.throws(() => new AdaptiveParamNoise({ adaptationCoefficient: 1 }, new Rng(0)), /> 1/);
});

t.test('perturbation leaves flagged-off variables alone and is reproducible from the state', async (t) => {
  const before = tf.memory().numTensors;
  const src = tf.tidy(() => [tf.variable(tf.zeros([200, 50])), tf.variable(tf.ones([50])), tf.variable(tf.zeros([50]))]);
  const dst = tf.tidy(() => src.map((v) => tf.variable(tf.zerosLike(v))));
  const flags = [true, false, true];
  const pn = new AdaptiveParamNoise({ initialStd: 0.3 }, new Rng(8).stream('pn'));
  const saved = JSON.parse(JSON.stringify(pn.state()));
  pn.perturb(src, dst, flags);
  const w = dst[0].dataSync();
  let sq = 0;
  for (const v of w) sq += v * v;
  t.ok(Math.abs(Math.sqrt(sq / w.length) - 0.3) < 0.01, 'perturbation std is currentStd');
  t.same(Array.from(dst[1].dataSync()), new Array(50).fill(1), 'unflagged variables are copied');
  const first = Array.from(w);

  pn.setState(saved);
  pn.perturb(src, dst, flags);
  t.same(Array.from(dst[0].dataSync()), first, 'same state, same perturbation');
  pn.perturb(src, dst, flags);
  t.not(dst[0].dataSync()[0], first[0], 'the next perturbation differs');

  const d = tf.tidy(() => rmsActionDistance(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[1, 1], [1, 3]])));
  t.ok(Math.abs(d.dataSync()[0] - Math.sqrt(6 / 4)) < 1e-6);
  d.dispose();
  t.throws(() => pn.perturb(src, dst, [true]), /must match/);
  for (const v of [...src, ...dst]) v.dispose();
  t.equal(tf.memory().numTensors, before, 'no tensor leaks');
});
