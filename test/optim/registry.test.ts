import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { z } from 'zod';
import { initBackend } from '../../src/backend.js';
import { Adam } from '../../src/optim/adam.js';
import { clipByGlobalNorm, createOptimizer, optimizerState, parseOptimizerOptions, registerOptimizer, registeredOptimizers, setOptimizerState } from '../../src/optim/registry.js';

await initBackend();

t.test('adam is created with validated options and PyTorch defaults', async (t) => {
  t.ok(registeredOptimizers().includes('adam'));
  t.same(parseOptimizerOptions('adam', {}), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  t.same(parseOptimizerOptions('adam', { lr: 3e-4, beta1: 0.5 }), { lr: 3e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
  t.same(parseOptimizerOptions('adam', { learningRate: 0.01 }), { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const opt = createOptimizer('adam', { lr: 3e-4 });
  t.ok(opt instanceof Adam);
  t.same((opt as Adam).options, { lr: 3e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  opt.dispose();
});

t.test('bad options and names are named', async (t) => {
  t.throws(() => createOptimizer('adam', { lr: 1e-3, betas: [0.9, 0.99] }), /optimizer 'adam': unknown option 'betas' \(known: lr, learningRate, beta1, beta2, epsilon\)/);
  t.throws(() => createOptimizer('adam', { lr: -1 }), /optimizer 'adam': option 'lr': lr must be > 0/);
  t.throws(() => createOptimizer('adam', { beta2: 1 }), /option 'beta2': beta2 must be in \[0, 1\)/);
  t.throws(() => createOptimizer('adam', { lr: 'fast' }), /option 'lr': lr must be a number/);
  t.throws(() => createOptimizer('adam', { lr: 1, learningRate: 1 }), /give lr or learningRate, not both/);
  t.throws(() => createOptimizer('adamw', {}), /unknown optimizer 'adamw'; registered: .*adam/);
  t.throws(() => registerOptimizer('adam', () => new Adam({ lr: 1, beta1: 0, beta2: 0, epsilon: 1 }), z.strictObject({})), /already registered/);
});

t.test('registerOptimizer makes a new optimizer available', async (t) => {
  registerOptimizer('test-sgd', (o: { lr: number }) => tf.train.sgd(o.lr), z.strictObject({ lr: z.number().default(0.1) }));
  const sgd = createOptimizer('test-sgd', {});
  const v = tf.variable(tf.scalar(1));
  sgd.minimize(() => tf.mul(v, 2) as tf.Scalar, false, [v]);
  t.equal(v.dataSync()[0], Math.fround(0.8));
  t.throws(() => createOptimizer('test-sgd', { momentum: 1 }), /unknown option 'momentum' \(known: lr\)/);
  tf.dispose([v]);
  sgd.dispose();
});

t.test('adam matches a float64 reference of the PyTorch update', async (t) => {
  const opt = createOptimizer('adam', { lr: 0.1, beta1: 0.8, beta2: 0.9, epsilon: 1e-8 });
  const v = tf.variable(tf.tensor1d([1, -2]));
  const ref = [1, -2];
  const m = [0, 0];
  const s = [0, 0];
  for (let step = 1; step <= 5; step++) {
    // loss = Σ x³/3 + x: gradient x² + 1
    opt.minimize(() => tf.sum(tf.add(tf.div(tf.pow(v, 3), 3), v)) as tf.Scalar, false, [v]);
    for (let i = 0; i < 2; i++) {
      const g = ref[i] ** 2 + 1;
      m[i] = 0.8 * m[i] + 0.2 * g;
      s[i] = 0.9 * s[i] + 0.1 * g * g;
      ref[i] -= (0.1 / (1 - 0.8 ** step)) * (m[i] / (Math.sqrt(s[i]) / Math.sqrt(1 - 0.9 ** step) + 1e-8));
    }
  }
  const got = v.dataSync();
  t.ok(Math.abs(got[0] - ref[0]) < 1e-5 && Math.abs(got[1] - ref[1]) < 1e-5, `${Array.from(got)} ≈ ${ref}`);
  v.dispose();
  opt.dispose();
});

t.test('state round trip is exact: a restored optimizer continues bit for bit', async (t) => {
  const make = () => [tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]])), tf.variable(tf.tensor1d([0.1, -0.3]))];
  const loss = (vars: tf.Variable[]) => () =>
    tf.add(tf.sum(tf.square(tf.matMul(vars[0], tf.reshape(vars[1], [2, 1])))), tf.sum(tf.sin(vars[0]))) as tf.Scalar;
  const a = make();
  const optA = createOptimizer('adam', { lr: 0.05 });
  for (let i = 0; i < 7; i++) optA.minimize(loss(a), false, a);
  const state = await optimizerState(optA);
  t.same(state.map((s) => s.name), ['step', '0/m', '1/m', '0/v', '1/v']);
  t.same(Array.from(state[0].tensor.dataSync()), [0, 7]);
  // A second optimizer gets copies of the values and the state, as after a checkpoint load.
  const snapshot = state.map(({ name, tensor }) => ({ name, tensor: tf.tensor(tensor.dataSync(), tensor.shape) }));
  const b = a.map((v) => tf.variable(v.clone()));
  const optB = createOptimizer('adam', { lr: 0.05 });
  await setOptimizerState(optB, snapshot);
  tf.dispose(snapshot.map((s) => s.tensor));
  for (let i = 0; i < 9; i++) {
    optA.minimize(loss(a), false, a);
    optB.minimize(loss(b), false, b);
  }
  a.forEach((v, i) => t.same(v.dataSync(), b[i].dataSync(), `variable ${i} identical after 9 more steps`));
  const later = await optimizerState(optB);
  t.same(Array.from(later[0].tensor.dataSync()), [0, 16]);
  const before = tf.memory().numTensors;
  await optimizerState(optA);
  t.equal(tf.memory().numTensors, before, 'reading the state again allocates nothing new');
  optA.dispose();
  optB.dispose();
  tf.dispose([...a, ...b]);
});

t.test('restored state is checked', async (t) => {
  const opt = createOptimizer('adam', {});
  await t.rejects(setOptimizerState(opt, []), /tensor 'step' is missing/);
  const step = tf.tensor1d([0, 3]);
  await t.rejects(setOptimizerState(opt, [{ name: 'step', tensor: step }, { name: '0/m', tensor: step }]), /expected a step and pairs of m\/v slots/);
  const m = tf.zeros([3]);
  await setOptimizerState(opt, [{ name: 'step', tensor: step }, { name: '0/m', tensor: m }, { name: '0/v', tensor: m }]);
  const v = tf.variable(tf.zeros([2]));
  t.throws(() => opt.minimize(() => tf.sum(v) as tf.Scalar, false, [v]), /state slot 0 has shape \[3\] but variable .* has shape \[2\]/);
  tf.dispose([step, m, v]);
  opt.dispose();
});

t.test('clipByGlobalNorm scales to the norm bound and reports the norm', async (t) => {
  const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
  const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
  t.equal(norm.dataSync()[0], 5);
  t.ok(Math.abs(clipped.a.dataSync()[0] - 0.6) < 1e-6 && Math.abs(clipped.b.dataSync()[1] - 0.8) < 1e-6);
  const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
  t.same(Array.from(small.grads[0].dataSync()), [0.30000001192092896, 0.4000000059604645], 'below the bound: unchanged');
  t.throws(() => clipByGlobalNorm([], 0), /maxNorm must be positive/);
  tf.dispose([grads.a, grads.b, clipped.a, clipped.b, norm, ...small.grads, small.norm]);
});

t.test('soap, fismo and muon are registered with the reference defaults', async (t) => {
  t.same(registeredOptimizers().filter((n) => ['adam', 'fismo', 'muon', 'soap'].includes(n)), ['adam', 'fismo', 'muon', 'soap']);
  t.same(parseOptimizerOptions('soap', {}), {
    lr: 3e-3, beta1: 0.95, beta2: 0.95, shampooBeta: -1, eps: 1e-8, weightDecay: 0.01, preconditionFrequency: 10,
    maxPrecondDim: 10000, mergeDims: false, precondition1d: false, normalizeGrads: false, correctBias: true,
  });
  t.match(parseOptimizerOptions('muon', {}), { lr: 0.02, momentum: 0.95, nesterov: true, nsSteps: 5, scale: 'muon', factors: false, adamLr: 0.02, adamBeta1: 0.9, adamBeta2: 0.95, adamEpsilon: 1e-10 });
  t.match(parseOptimizerOptions('fismo', { lr: 0.1 }), { lr: 0.1, factorBeta: 0.95, damping: 0.1, rootInterval: 1, nesterov: false, scale: 'none', factors: true, adamLr: 0.1 });
  t.throws(() => createOptimizer('soap', { preconditionFrequency: 0 }), /option 'preconditionFrequency': preconditionFrequency must be >= 1/);
  t.throws(() => createOptimizer('soap', { betas: [0.9, 0.9] }), /unknown option 'betas' \(known: lr, beta1, beta2, shampooBeta/);
  t.throws(() => createOptimizer('fismo', { rootInterval: 2.5 }), /rootInterval must be an integer/);
});
