import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { polyak } from '../../src/nn/polyak.js';

await initBackend();

t.test('target ← (1 − τ)·target + τ·source exactly, in float32', async (t) => {
  const tv = [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([-1, 0.1]))];
  const sv = [tf.variable(tf.tensor2d([[5, 6], [7, 8.5]])), tf.variable(tf.tensor1d([3, 0.7]))];
  const tau = 0.005;
  const f = Math.fround;
  const want = tv.map((v, i) => {
    const a = v.dataSync();
    const b = sv[i].dataSync();
    return Array.from(a, (x, j) => f(f(f(1 - tau) * x) + f(f(tau) * b[j])));
  });
  const before = tf.memory().numTensors;
  polyak(tv, sv, tau);
  t.equal(tf.memory().numTensors, before, 'no tensors left behind');
  t.same(tv.map((v) => Array.from(v.dataSync())), want);
  t.same(Array.from(sv[0].dataSync()), [5, 6, 7, 8.5], 'source untouched');
  polyak(tv, sv, 1);
  t.same(tv.map((v) => Array.from(v.dataSync())), sv.map((v) => Array.from(v.dataSync())), 'τ = 1 copies');
  polyak(tv, sv, 0);
  t.same(Array.from(tv[1].dataSync()).map((v) => +v.toFixed(6)), [3, 0.7]);
  tf.dispose([...tv, ...sv]);
});

t.test('mismatches and bad τ are rejected', async (t) => {
  const a = tf.variable(tf.zeros([2]));
  const b = tf.variable(tf.zeros([3]));
  t.throws(() => polyak([a], [a, b], 0.1), /1 target variables but 2 source/);
  t.throws(() => polyak([a], [b], 0.1), /variable 0 has shape \[2\] in the target but \[3\]/);
  t.throws(() => polyak([a], [a], 1.5), /tau must be in \[0, 1\], got 1.5/);
  tf.dispose([a, b]);
});
