import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { activate, Mlp, mlpLayout, type MlpSpec } from '../../src/nn/mlp.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const spec: MlpSpec = { inputDim: 5, hidden: [8, 6], outputDim: 3, activation: 'relu' };
const values = (m: Mlp) => m.variables.map((v) => Array.from(v.dataSync()));

t.test('same seed gives the same network; another seed another', async (t) => {
  const a = new Mlp(spec, new Rng(1), 'a');
  const b = new Mlp(spec, new Rng(1), 'b');
  const c = new Mlp(spec, new Rng(2), 'c');
  t.same(values(a), values(b));
  t.notSame(values(a)[0], values(c)[0]);
  t.same(a.variableNames, ['dense0/kernel', 'dense0/bias', 'dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias']);
  t.same(a.variables.map((v) => v.shape), [[5, 8], [8], [8, 6], [6], [6, 3], [3]]);
  t.same(a.kernels.map((v) => v.shape), [[5, 8], [8, 6], [6, 3]]);
  t.equal(a.numParameters, 5 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
  t.ok(a.variables.every((v) => v.trainable));
  [a, b, c].forEach((m) => m.dispose());
});

t.test('forward pass equals a hand-written one; LayerNorm and activations', async (t) => {
  for (const activation of ['relu', 'leaky-relu', 'tanh'] as const) {
    for (const layerNorm of [false, true]) {
      const m = new Mlp({ ...spec, activation, layerNorm }, new Rng(3), 'm');
      t.same(m.variableNames.length, layerNorm ? 10 : 6);
      const x = tf.randomNormal([4, 5], 0, 1, 'float32', 4) as tf.Tensor2D;
      const y = m.apply(x);
      const want = tf.tidy(() => {
        let h: tf.Tensor2D = x;
        for (let i = 0; i < 3; i++) {
          h = tf.add(tf.matMul(h, m.variables[2 * i] as tf.Tensor2D), m.variables[2 * i + 1]);
          if (i < 2) {
            if (layerNorm) {
              const { mean, variance } = tf.moments(h, -1, true);
              h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), m.variables[6 + 2 * i]), m.variables[7 + 2 * i]);
            }
            h = activation === 'relu' ? tf.relu(h) : activation === 'tanh' ? tf.tanh(h) : tf.leakyRelu(h, 0.1);
          }
        }
        return h;
      });
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, want))).dataSync()[0]);
      t.ok(diff < 1e-5, `${activation}${layerNorm ? ' + LayerNorm' : ''}: max |difference| ${diff.toExponential(2)}`);
      tf.dispose([x, y, want]);
      m.dispose();
    }
  }
});

t.test('leaky ReLU is 0.9·relu + 0.1·x and twice differentiable', async (t) => {
  const x = tf.tensor2d([[-2, -0.5, 0.5, 3]]);
  t.same(Array.from(activate(x, 'leaky-relu').dataSync()).map((v) => +v.toFixed(6)), [-0.2, -0.05, 0.5, 3]);
  const g2 = tf.grad((z: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.square(activate(u as tf.Tensor2D, 'leaky-relu'))))(z)))(x);
  t.same(Array.from(g2.dataSync()).map((v) => +v.toFixed(6)), [0.02, 0.02, 2, 2]);
  tf.dispose([x, g2]);
});

t.test('gains and init schemes follow the spec', async (t) => {
  const m = new Mlp({ inputDim: 64, hidden: [64], outputDim: 4, activation: 'relu', outputGain: 0.01 }, new Rng(1), 'm');
  const w0 = m.variables[0].dataSync();
  let sq = 0;
  for (let i = 0; i < 64; i++) sq += w0[i * 64] ** 2;
  t.ok(Math.abs(sq - 2) < 1e-5, 'hidden columns have norm √2 (relu default)');
  const w1 = m.variables[2].dataSync();
  let sq1 = 0;
  for (let i = 0; i < 64; i++) sq1 += w1[i * 4] ** 2;
  t.ok(Math.abs(sq1 - 1e-4) < 1e-9, 'output columns have norm outputGain');
  m.dispose();
  const g = new Mlp({ ...spec, init: 'glorot' }, new Rng(1), 'g');
  const limit = Math.sqrt(6 / 13) * Math.SQRT2;
  t.ok(Array.from(g.variables[0].dataSync()).every((v) => Math.abs(v) <= limit));
  g.dispose();
});

t.test('clone copies into new variables; copyFrom copies values; dispose frees', async (t) => {
  const before = tf.memory().numTensors;
  const a = new Mlp({ ...spec, layerNorm: true }, new Rng(1), 'a');
  const b = a.clone('b');
  t.equal(b.name, 'b');
  t.same(b.spec, a.spec);
  t.same(values(a), values(b));
  t.ok(a.variables.every((v, i) => v.name !== b.variables[i].name), 'new variables');
  tf.tidy(() => a.variables[0].assign(tf.zerosLike(a.variables[0])));
  t.notSame(values(a)[0], values(b)[0], 'clone does not alias');
  const c = new Mlp({ ...spec, layerNorm: true }, new Rng(5), 'c');
  c.copyFrom(a);
  t.same(values(c), values(a));
  const other = new Mlp({ ...spec, hidden: [8, 7] }, new Rng(1), 'other');
  t.throws(() => c.copyFrom(other), /variables, expected 10/);
  [a, b, c, other].forEach((m) => m.dispose());
  t.equal(tf.memory().numTensors, before, 'no tensors left');
  t.throws(() => a.apply(tf.zeros([1, 5]) as tf.Tensor2D), /a: network was disposed/);
});

t.test('bad specs and inputs are named', async (t) => {
  t.throws(() => new Mlp({ ...spec, hidden: [8, 0] }, new Rng(1), 'x'), /MlpSpec.hidden\[1\] must be a positive integer, got 0/);
  t.throws(() => new Mlp({ ...spec, activation: 'gelu' as never }, new Rng(1), 'x'), /activation must be relu, leaky-relu or tanh, got "gelu"/);
  t.throws(() => new Mlp(spec, null, 'x'), /needs an Rng/);
  const m = new Mlp(spec, new Rng(1), 'net');
  t.throws(() => m.apply(tf.zeros([2, 4]) as tf.Tensor2D), /net: input must have shape \[batch, 5\], got \[2, 4\]/);
  t.throws(() => new Mlp(spec, null, 'x', m.variables.slice(1)), /5 initial tensors, expected 6/);
  m.dispose();
  t.same(mlpLayout({ ...spec, hidden: [] }), [{ name: 'dense0/kernel', shape: [5, 3] }, { name: 'dense0/bias', shape: [3] }]);
});

t.test('no tensors leak from apply and training steps', async (t) => {
  const m = new Mlp({ ...spec, layerNorm: true, activation: 'leaky-relu' }, new Rng(1), 'm');
  const x = tf.randomNormal([16, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
  const opt = tf.train.adam(1e-3);
  const step = () => {
    opt.minimize(() => tf.mean(tf.square(m.apply(x))) as tf.Scalar, false, m.variables);
    m.apply(x).dispose();
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  t.equal(tf.memory().numTensors, before);
  tf.dispose([x]);
  opt.dispose();
  m.dispose();
});
