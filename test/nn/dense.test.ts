import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { dense, setStockDenseGradient, stockDenseGradient } from '../../src/nn/dense.js';
import { activate } from '../../src/nn/mlp.js';

await initBackend();

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

function withGradient<T>(stock: boolean, f: () => T): T {
  const before = stockDenseGradient();
  setStockDenseGradient(stock);
  try {
    return f();
  } finally {
    setStockDenseGradient(before);
  }
}

t.test('forward is x·W + b', async (t) => {
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const w = tf.tensor2d([[1, 0, -1], [2, 1, 0.5]]);
  const b = tf.tensor1d([0.5, -1, 2]);
  t.same(Array.from(dense(x, w, b).dataSync()), [5.5, 1, 2, 11.5, 3, 1, 17.5, 5, 0]);
  tf.dispose([x, w, b]);
});

t.test('custom gradient equals the stock matmul gradient (x, W, b; variables)', async (t) => {
  const x = tf.randomNormal([64, 23], 0, 1, 'float32', 1) as tf.Tensor2D;
  const w1 = tf.variable(tf.randomNormal([23, 48], 0, 0.3, 'float32', 2));
  const b1 = tf.variable(tf.randomNormal([48], 0, 0.1, 'float32', 3));
  const w2 = tf.variable(tf.randomNormal([48, 5], 0, 0.3, 'float32', 4));
  const b2 = tf.variable(tf.randomNormal([5], 0, 0.1, 'float32', 5));
  const loss = (input: tf.Tensor) =>
    tf.sum(tf.square(dense(tf.tanh(dense(input as tf.Tensor2D, w1, b1)), w2, b2))) as tf.Scalar;
  const grads = (stock: boolean) =>
    withGradient(stock, () => {
      const vg = tf.variableGrads(() => loss(x));
      const gx = tf.grad(loss)(x);
      vg.value.dispose();
      const all: Record<string, tf.Tensor> = { ...vg.grads, x: gx };
      return all;
    });
  const custom = grads(false);
  const stock = grads(true);
  t.same(Object.keys(custom).sort(), Object.keys(stock).sort());
  for (const k of Object.keys(stock)) {
    const scale = tf.tidy(() => tf.max(tf.abs(stock[k])).dataSync()[0]);
    t.ok(maxAbsDiff(custom[k], stock[k]) <= 1e-6 * Math.max(1, scale), `gradient ${k} matches (scale ${scale.toFixed(3)})`);
  }
  tf.dispose([x, w1, b1, w2, b2, ...Object.values(custom), ...Object.values(stock)]);
});

t.test('second-order gradients (a gradient penalty) match the stock path', async (t) => {
  const x = tf.randomNormal([16, 5], 0, 1, 'float32', 7) as tf.Tensor2D;
  const w1 = tf.variable(tf.randomNormal([5, 16], 0, 0.5, 'float32', 8));
  const b1 = tf.variable(tf.zeros([16]));
  const w2 = tf.variable(tf.randomNormal([16, 1], 0, 0.5, 'float32', 9));
  const b2 = tf.variable(tf.zeros([1]));
  // Leaky ReLU as the discriminator writes it (tanh would do too, but tfjs drops the second-order
  // path through ops that save their output, e.g. tanh and exp, in stock and custom alike).
  const penalty = () => {
    const gx = tf.grad((input: tf.Tensor) => tf.sum(dense(activate(dense(input as tf.Tensor2D, w1, b1), 'leaky-relu'), w2, b2)))(x);
    return tf.mean(tf.square(tf.sub(tf.norm(gx, 'euclidean', 1), 1))) as tf.Scalar;
  };
  const run = (stock: boolean) => withGradient(stock, () => tf.variableGrads(penalty));
  const custom = run(false);
  const stock = run(true);
  t.same(Object.keys(custom.grads).sort(), Object.keys(stock.grads).sort());
  for (const k of Object.keys(stock.grads)) {
    t.ok(maxAbsDiff(custom.grads[k], stock.grads[k]) <= 1e-6, `second-order gradient of ${k} matches`);
  }
  t.ok(tf.tidy(() => tf.sum(tf.abs(custom.grads[w1.name])).dataSync()[0]) > 0, 'the penalty reaches the first layer');
  tf.dispose([x, w1, b1, w2, b2, custom.value, stock.value, ...Object.values(custom.grads), ...Object.values(stock.grads)]);
});

t.test('no tensors leak from a forward/backward pass', async (t) => {
  const x = tf.randomNormal([8, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
  const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 2));
  const b = tf.variable(tf.zeros([3]));
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(dense(x, w, b)) as tf.Scalar);
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 10; i++) step();
  t.equal(tf.memory().numTensors, before);
  tf.dispose([x, w, b]);
});
