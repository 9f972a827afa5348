import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { LAYER_NORM_EPSILON, layerNorm } from '../../src/nn/layer-norm.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const rows = 4;
const cols = 7;
const rng = new Rng(11);
const xs = Float64Array.from({ length: rows * cols }, () => rng.normal(0.5, 2));
const gain = Float64Array.from({ length: cols }, () => rng.uniform(0.5, 1.5));
const bias = Float64Array.from({ length: cols }, () => rng.normal(0, 0.3));
const weights = Float64Array.from({ length: rows * cols }, () => rng.normal());

/** Float64 reference of LayerNorm. */
function reference(x: Float64Array, g: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < cols; c++) mean += x[r * cols + c] / cols;
    let variance = 0;
    for (let c = 0; c < cols; c++) variance += (x[r * cols + c] - mean) ** 2 / cols;
    const inv = 1 / Math.sqrt(variance + LAYER_NORM_EPSILON);
    for (let c = 0; c < cols; c++) out[r * cols + c] = (x[r * cols + c] - mean) * inv * g[c] + b[c];
  }
  return out;
}

/** The test loss Σ weights ⊙ LN(x), in float64. */
const lossRef = (x: Float64Array, g: Float64Array, b: Float64Array) =>
  reference(x, g, b).reduce((s, v, i) => s + v * weights[i], 0);

t.test('forward matches a float64 reference', async (t) => {
  const y = tf.tidy(() => layerNorm(tf.tensor2d(Float32Array.from(xs), [rows, cols]), tf.tensor1d(Float32Array.from(gain)), tf.tensor1d(Float32Array.from(bias))));
  const got = y.dataSync();
  const want = reference(Float64Array.from(Float32Array.from(xs)), Float64Array.from(Float32Array.from(gain)), Float64Array.from(Float32Array.from(bias)));
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  t.ok(worst < 2e-6, `max |difference| ${worst.toExponential(2)}`);
  // Each row is normalised: mean of (y − b)/g is 0, its variance ≈ 1.
  y.dispose();
});

t.test('gradients w.r.t. x, gain and bias match central finite differences of the float64 reference', async (t) => {
  const x = tf.tensor2d(Float32Array.from(xs), [rows, cols]);
  const g = tf.tensor1d(Float32Array.from(gain));
  const b = tf.tensor1d(Float32Array.from(bias));
  const w = tf.tensor2d(Float32Array.from(weights), [rows, cols]);
  const [gx, gg, gb] = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
    tf.sum(tf.mul(w, layerNorm(a as tf.Tensor2D, c as tf.Tensor1D, d as tf.Tensor1D))))([x, g, b]);
  const analytic = [gx.dataSync(), gg.dataSync(), gb.dataSync()];
  const params = [Float64Array.from(xs), Float64Array.from(gain), Float64Array.from(bias)];
  const h = 1e-6;
  let worst = 0;
  params.forEach((p, k) => {
    for (let i = 0; i < p.length; i++) {
      const saved = p[i];
      p[i] = saved + h;
      const up = lossRef(params[0], params[1], params[2]);
      p[i] = saved - h;
      const down = lossRef(params[0], params[1], params[2]);
      p[i] = saved;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - analytic[k][i]) / Math.max(1, Math.abs(numeric)));
    }
  });
  t.ok(worst < 1e-4, `max relative difference ${worst.toExponential(2)}`);
  tf.dispose([x, g, b, w, gx, gg, gb]);
});

t.test('a constant row maps to the bias (ε keeps it finite)', async (t) => {
  const y = tf.tidy(() => layerNorm(tf.fill([1, 3], 2.5) as tf.Tensor2D, tf.ones([3]) as tf.Tensor1D, tf.tensor1d([1, 2, 3])));
  t.same(Array.from(y.dataSync()), [1, 2, 3]);
  y.dispose();
});
