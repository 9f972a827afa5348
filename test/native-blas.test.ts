/**
 * The native BLAS path (src/native-blas.ts) against the wasm kernels. Where the addon is built
 * (CI installs OpenBLAS so it is), every comparison runs; where it is absent, the file checks that
 * the fallback is reported and everything runs on wasm (test/native-blas-fallback.test.ts covers
 * the install side).
 */
import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { parseSacConfig, Sac } from '../agents/sac.js';
import { initBackend } from '../src/backend.js';
import { loadBlasAddon, nativeBlasActive, nativeBlasInfo, planMatMul, setNativeBlasEnabled } from '../src/native-blas.js';
import { dense } from '../src/nn/dense.js';
import { Mlp } from '../src/nn/mlp.js';
import { polyak } from '../src/nn/polyak.js';
import { Adam } from '../src/optim/adam.js';
import { Rng } from '../src/rng.js';
import { randomBatch } from './helpers/random-batch.js';

const info = await initBackend();
const present = loadBlasAddon().addon !== null;

t.test('the backend reports whether the native matmul is active, and why', async (t) => {
  t.equal(info.choice, 'wasm');
  t.ok(info.nativeBlas !== undefined);
  t.equal(info.nativeBlas!.active, present && process.env.IMITATE_NATIVE_BLAS !== '0', info.nativeBlas!.reason);
  if (!info.nativeBlas!.active) t.match(info.nativeBlas!.reason, /IMITATE_NATIVE_BLAS=0|not built|failed to load/);
  t.same(nativeBlasInfo(), info.nativeBlas);
});

t.test('planMatMul: shapes, strides and broadcasting as tfjs defines them', async (t) => {
  const info = (shape: number[], dtype: tf.DataType = 'float32') => ({ dataId: {}, shape, dtype }) as tf.TensorInfo;
  t.same(planMatMul(info([5, 3]), info([3, 4]), false, false), { outShape: [5, 4], batch: 1, m: 5, n: 4, k: 3, strideA: 0, strideB: 0 });
  t.same(planMatMul(info([3, 5]), info([4, 3]), true, true), { outShape: [5, 4], batch: 1, m: 5, n: 4, k: 3, strideA: 0, strideB: 0 });
  t.same(planMatMul(info([2, 5, 3]), info([3, 4]), false, false), { outShape: [2, 5, 4], batch: 2, m: 5, n: 4, k: 3, strideA: 15, strideB: 0 });
  t.same(planMatMul(info([5, 3]), info([2, 3, 4]), false, false), { outShape: [2, 5, 4], batch: 2, m: 5, n: 4, k: 3, strideA: 0, strideB: 12 });
  t.equal(planMatMul(info([2, 5, 3]), info([3, 3, 4]), false, false), null, 'uneven batches go to the stock kernel');
  t.equal(planMatMul(info([5, 3], 'int32'), info([3, 4], 'int32'), false, false), null, 'int32 goes to the stock kernel');
  t.equal(planMatMul(info([0, 3]), info([3, 4]), false, false), null, 'empty goes to the stock kernel');
  t.throws(() => planMatMul(info([5, 3]), info([4, 4]), false, false), /inner dimensions 3 and 4/);
});

/** Runs f with the native path on and off; returns both results as arrays. */
function both<T extends tf.Tensor | tf.Tensor[]>(f: () => T): { native: Float32Array[]; wasm: Float32Array[] } {
  const run = (on: boolean) => {
    setNativeBlasEnabled(on);
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((x) => Float32Array.from(x.dataSync() as Float32Array));
    tf.dispose(list);
    return values;
  };
  try {
    return { native: run(true), wasm: run(false) };
  } finally {
    setNativeBlasEnabled(true);
  }
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

t.test('native and wasm matmuls agree (float32) for every transpose flag, batched and broadcast', { skip: !nativeBlasActive() && 'addon not built or turned off: nothing to compare' }, async (t) => {
  const rng = new Rng(5);
  const randn = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const a = randn([37, 29]);
  const b = randn([29, 41]);
  const at = tf.transpose(a);
  const bt = tf.transpose(b);
  const a3 = randn([3, 37, 29]);
  const b3 = randn([3, 29, 41]);
  const cases: [string, () => tf.Tensor][] = [
    ['plain', () => tf.matMul(a, b)],
    ['transposeA', () => tf.matMul(at, b, true, false)],
    ['transposeB', () => tf.matMul(a, bt, false, true)],
    ['both', () => tf.matMul(at, bt, true, true)],
    ['batched', () => tf.matMul(a3, b3)],
    ['batched × shared', () => tf.matMul(a3, b)],
    ['shared × batched', () => tf.matMul(a, b3)],
  ];
  for (const [name, f] of cases) {
    const { native, wasm } = both(f);
    t.ok(maxRelError(native[0], wasm[0]) < 1e-5, `${name}: max relative error ${maxRelError(native[0], wasm[0]).toExponential(2)}`);
  }
  tf.dispose([a, b, at, bt, a3, b3]);
});

t.test('the fused dense kernel is bit-identical to matmul, bias and ReLU on the native path, and so are its gradients', { skip: !nativeBlasActive() && 'addon not built or turned off' }, async (t) => {
  const rng = new Rng(6);
  const x = tf.tensor2d(Float32Array.from({ length: 64 * 23 }, () => rng.normal()), [64, 23]);
  const w = tf.variable(tf.tensor2d(Float32Array.from({ length: 23 * 48 }, () => rng.normal() * 0.3), [23, 48]));
  const b = tf.variable(tf.tensor1d(Float32Array.from({ length: 48 }, () => rng.normal())));
  for (const relu of [true, false]) {
    const fused = tf.tidy(() => dense(x, w, b, relu));
    const plain = tf.tidy(() => {
      const z = tf.add(tf.matMul(x, w), b);
      return relu ? tf.relu(z) : z;
    });
    t.same(fused.dataSync(), plain.dataSync(), `forward, relu=${relu}`);
    const g = (f: () => tf.Scalar) => tf.variableGrads(f, [w, b]);
    const gf = g(() => tf.sum(tf.square(dense(x, w, b, relu))));
    const gp = g(() => {
      const z = tf.add(tf.matMul(x, w), b);
      return tf.sum(tf.square(relu ? tf.relu(z) : z));
    });
    // The bias gradient sums with a product by ones instead of tf.sum: same terms, another order.
    t.ok(maxRelError(gf.grads[w.name].dataSync() as Float32Array, gp.grads[w.name].dataSync() as Float32Array) < 1e-6, `dW, relu=${relu}`);
    t.ok(maxRelError(gf.grads[b.name].dataSync() as Float32Array, gp.grads[b.name].dataSync() as Float32Array) < 1e-5, `db, relu=${relu}`);
    tf.dispose([fused, plain, gf.value, gp.value, ...Object.values(gf.grads), ...Object.values(gp.grads)]);
  }
  tf.dispose([x, w, b]);
});

t.test('the fused Adam step (all variables in one kernel) is bit-identical to the tf-op Adam', { skip: !nativeBlasActive() && 'addon not built or turned off' }, async (t) => {
  const rng = new Rng(7);
  const shapes = [[20, 15], [15], [1]];
  const init = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
  const grads = Array.from({ length: 5 }, () => init.map((x) => Float32Array.from(x, () => rng.normal() * 10 ** rng.uniform(-6, 2))));
  const run = (native: boolean) => {
    setNativeBlasEnabled(native);
    const vars = shapes.map((s, i) => tf.variable(tf.tensor(init[i], s)));
    const opt = new Adam({ lr: 3e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    for (const step of grads) {
      const gs = step.map((g, i) => ({ name: vars[i].name, tensor: tf.tensor(g, shapes[i]) }));
      opt.applyGradients(gs);
      tf.dispose(gs.map((g) => g.tensor));
    }
    const out = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    tf.dispose(vars);
    opt.dispose();
    return out;
  };
  const viaKernel = run(true);
  const viaOps = run(false);
  setNativeBlasEnabled(true);
  t.same(viaKernel, viaOps);
  t.not(viaKernel[0][0], init[0][0], 'the weights moved');
});

t.test('the fused Polyak average is bit-identical to the tf ops', { skip: !nativeBlasActive() && 'addon not built or turned off' }, async (t) => {
  const rng = new Rng(12);
  const shapes = [[7, 5], [5]];
  const src = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
  const tgt = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
  const run = (native: boolean) => {
    setNativeBlasEnabled(native);
    const sources = shapes.map((s, i) => tf.variable(tf.tensor(src[i], s)));
    const targets = shapes.map((s, i) => tf.variable(tf.tensor(tgt[i], s)));
    for (let k = 0; k < 3; k++) polyak(targets, sources, 0.005);
    const out = targets.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    tf.dispose([...sources, ...targets]);
    return out;
  };
  const viaKernel = run(true);
  const viaOps = run(false);
  setNativeBlasEnabled(true);
  t.same(viaKernel, viaOps);
});

t.test('acting from the heap agrees with the batched forward pass', { skip: !nativeBlasActive() && 'addon not built or turned off' }, async (t) => {
  const mlp = new Mlp({ inputDim: 17, hidden: [256, 256], outputDim: 12, activation: 'relu' }, new Rng(8), 'actor');
  const rng = new Rng(9);
  const obs = Float32Array.from({ length: 17 }, () => rng.normal());
  const one = mlp.forwardOne(obs);
  const batched = tf.tidy(() => mlp.apply(tf.tensor2d(obs, [1, 17]))).dataSync() as Float32Array;
  t.equal(one.length, 12);
  t.ok(maxRelError(one, batched) < 1e-5, `max relative error ${maxRelError(one, batched).toExponential(2)}`);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 50; i++) mlp.forwardOne(obs);
  t.equal(tf.memory().numTensors, before, 'no tensors');
  mlp.dispose();
});

t.test('a SAC update gives the same losses on both paths (float32)', { skip: !nativeBlasActive() && 'addon not built or turned off' }, async (t) => {
  const batch = randomBatch(new Rng(10), { size: 64, obsDim: 5, actDim: 2, doneRate: 0.05 });
  const make = () => new Sac(parseSacConfig({ actorNet: [32, 32], criticNet: [32, 32] }), { obsDim: 5, actDim: 2, rng: new Rng(11) });
  const losses = (native: boolean) => {
    setNativeBlasEnabled(native);
    const sac = make();
    const out = [sac.update(batch), sac.update(batch)];
    sac.dispose();
    return out;
  };
  const a = losses(true);
  const b = losses(false);
  setNativeBlasEnabled(true);
  for (const i of [0, 1]) {
    for (const key of ['critic_loss', 'actor_loss', 'entropy'] as const) {
      t.ok(Math.abs(a[i][key] - b[i][key]) <= 1e-4 * (1 + Math.abs(b[i][key])), `update ${i} ${key}: ${a[i][key]} vs ${b[i][key]}`);
    }
  }
});

t.test('the zero-copy Identity: a clone shares data, keeps its value and frees cleanly', async (t) => {
  const x = tf.tensor1d([1, 2, 3]);
  const before = tf.memory();
  const y = tf.clone(x);
  t.same(y.dataSync(), [1, 2, 3]);
  x.dispose();
  t.same(y.dataSync(), [1, 2, 3], 'the clone outlives its source');
  y.dispose();
  t.equal(tf.memory().numTensors, before.numTensors - 1);
  t.equal(tf.memory().numDataBuffers, before.numDataBuffers - 1);
});
