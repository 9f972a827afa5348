import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { discriminatorConfigSchema, Discriminator } from '../../../agents/gail/discriminator.js';
import { ForwardModel } from '../../../agents/gail/forward-model.js';
import { checkKappa, functionPreconditioner, Purple, RewardGradient, SIGMA_FLOOR, WindowStd } from '../../../agents/gail/precondition.js';
import { initBackend } from '../../../src/backend.js';
import { Rng } from '../../../src/rng.js';

await initBackend();

const rows = (n: number, d: number, scale: number, rng: Rng) => tf.tensor2d(Float32Array.from({ length: n * d }, () => scale * rng.normal()), [n, d]);

t.test('PURPLE: κ stays in [floor, 1], one value per call, and equals max(floor, exp(−pen/σ))', async (t) => {
  const rng = new Rng(1);
  const model = new ForwardModel(4, 3, { hidden: [16, 16], optimizer: { name: 'adam', lr: 1e-3 } }, rng);
  model.net.variables.forEach((v) => v.assign(tf.mul(v, 20)));
  // k_f at the median proxy of a probe batch, so that pen varies from call to call.
  const probe0 = rows(64, 4, 1, rng);
  const kf = tf.tidy(() => [...model.jacobianProxy(probe0).dataSync()].sort((a, b) => a - b)[32]);
  probe0.dispose();
  const purple = new Purple(model, kf, 0.7, 10);
  const window = new WindowStd(10);
  let below = 0;
  let above = 0;
  for (let call = 0; call < 40; call++) {
    const x = rows(8, 4, [0.05, 1, 3][call % 3], rng);
    const pen = tf.tidy(() => tf.mean(tf.square(tf.relu(tf.sub(model.jacobianProxy(x), kf)))).dataSync()[0]);
    const kappa = purple.kappa(x);
    const expected = Math.max(0.7, Math.exp(-pen / window.push(pen)));
    t.ok(kappa.every((k) => k === kappa[0]), `call ${call}: one κ for the whole batch`);
    // κ is float32: the floor is 0.7 rounded to float32.
    t.ok(kappa[0] >= Math.fround(0.7) && kappa[0] <= 1, `call ${call}: κ = ${kappa[0].toFixed(4)} in [0.7, 1]`);
    t.ok(Math.abs(kappa[0] - expected) < 1e-6, `call ${call}: closed form`);
    if (kappa[0] === Math.fround(0.7)) below += 1;
    if (kappa[0] > Math.fround(0.7)) above += 1;
    x.dispose();
  }
  t.ok(below > 0, `the floor is reached on some calls (${below} of 40)`);
  const state = purple.state();
  const other = new Purple(model, 2, 0.7, 10);
  other.setState(state);
  const probe = rows(8, 4, 3, new Rng(9));
  t.same(Array.from(other.kappa(probe)), Array.from(purple.kappa(probe)), 'the window is restored from its state');
  probe.dispose();
  model.dispose();
  t.ok(above > 0, `κ is above the floor on some calls (${above} of 40)`);
});

t.test('reward-gradient preconditioner: κ_i in (0, 1], 1 where ‖∇h‖ ≤ k', async (t) => {
  for (const scale of [3, 30]) {
  const disc = new Discriminator(discriminatorConfigSchema.parse({ hidden: [16, 16], spectralNorm: false }), { obsDim: 3, actDim: 1 }, new Rng(2));
  disc.net.variables.forEach((v) => v.assign(tf.mul(v, scale)));
  const x = rows(64, 4, 1, new Rng(3));
  const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(disc.logitsAndInputGradient(x).grad), 1)).dataSync());
  const sorted = [...norms].sort((a, b) => a - b);
  const k = (sorted[31] + sorted[32]) / 2;
  const pre = new RewardGradient(disc, k, 0, 10);
  const kappa = pre.kappa(x);
  let ok = true;
  const bad: string[] = [];
  kappa.forEach((v, i) => {
    if (!(v > 0 && v <= 1) || (norms[i] <= k && v !== 1) || (norms[i] > 1.01 * k && v >= 1)) bad.push(`row ${i}: ‖∇h‖ ${norms[i]}, κ ${v}`);
    ok &&= v > 0 && v <= 1;
    if (norms[i] <= k) ok &&= v === 1;
    else if (norms[i] > 1.01 * k) ok &&= v < 1;
  });
  t.ok(ok, `weights ×${scale}: per-row κ in (0, 1], 1 exactly at or below k = ${k.toFixed(3)}, below 1 above it ${bad.join('; ')}`);
  t.ok(kappa.some((v) => v < 1 && v > 0.01) || scale === 30, `weights ×${scale}: κ takes intermediate values`);
  x.dispose();
  disc.dispose();
  }
});

t.test('σ is the window std, floored; user preconditioners are checked', async (t) => {
  const w = new WindowStd(3);
  t.equal(w.push(5), SIGMA_FLOOR);
  w.push(7);
  w.push(9);
  t.ok(Math.abs(w.push(11) - Math.sqrt(8 / 3)) < 1e-12, 'std of the last 3 values (7, 9, 11)');
  const half = functionPreconditioner('half', (_x, n) => new Float32Array(n).fill(0.5));
  const x = tf.zeros([4, 2]) as tf.Tensor2D;
  t.same(Array.from(half.kappa(x)), [0.5, 0.5, 0.5, 0.5]);
  t.throws(() => checkKappa(Float32Array.from([0.5, 1.5]), 2, 'mine'), /preconditioner 'mine' returned κ = 1.5 for row 1; κ must be in \(0, 1\]/);
  t.throws(() => checkKappa(Float32Array.from([0]), 1, 'mine'), /κ = 0 for row 0/);
  t.throws(() => checkKappa(Float32Array.from([1]), 2, 'mine'), /returned 1 values for 2 rows/);
  x.dispose();
});
