import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { behaviourCloning, bcLoss, NLL_ACTION_CLIP, parseBcConfig, Bc } from '../../agents/bc.js';
import { initBackend } from '../../src/backend.js';
import { Mlp } from '../../src/nn/mlp.js';
import { loadPolicy } from '../../src/nn/policy.js';
import { createOptimizer } from '../../src/optim/registry.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const n = 5;
const actDim = 2;
const rng = new Rng(11);
const out = Float64Array.from({ length: n * 2 * actDim }, () => rng.uniform(-1.5, 1.5));
const actions = Float64Array.from({ length: n * actDim }, () => rng.uniform(-0.99, 0.99));
actions[3] = 1; // a saturated expert action: clipped before atanh

/** float64 references of the two losses on a 'gaussian-tanh' output [μ, log σ]. */
function mseRef(o: ArrayLike<number>, a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < actDim; j++) s += (Math.tanh(o[i * 2 * actDim + j]) - a[i * actDim + j]) ** 2;
  return s / (n * actDim);
}
function nllRef(o: ArrayLike<number>, a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < actDim; j++) {
      const mu = o[i * 2 * actDim + j];
      const logStd = Math.min(2, Math.max(-20, o[i * 2 * actDim + actDim + j]));
      // The clip happens on float32 actions, so its bound is the float32 number nearest 1 − 1e-6.
      const c = Math.fround(NLL_ACTION_CLIP);
      const x = Math.min(c, Math.max(-c, a[i * actDim + j]));
      const z = (Math.atanh(x) - mu) / Math.exp(logStd);
      s += 0.5 * z * z + logStd + 0.5 * Math.log(2 * Math.PI) + Math.log(1 - x * x);
    }
  }
  return s / n;
}

const asTensors = () => [tf.tensor2d(Float32Array.from(out), [n, 2 * actDim]), tf.tensor2d(Float32Array.from(actions), [n, actDim])] as const;

t.test('losses match float64 references', async (t) => {
  const [o, a] = asTensors();
  const o32 = Float32Array.from(out);
  const a32 = Float32Array.from(actions);
  const mse = bcLoss(o, a, 'mse', 'gaussian-tanh');
  t.ok(Math.abs(mse.dataSync()[0] - mseRef(o32, a32)) < 1e-6, `mse ${mse.dataSync()[0]} vs ${mseRef(o32, a32)}`);
  const nll = bcLoss(o, a, 'nll', 'gaussian-tanh');
  const want = nllRef(o32, a32);
  t.ok(Math.abs(nll.dataSync()[0] - want) < 1e-4 * Math.max(1, Math.abs(want)), `nll ${nll.dataSync()[0]} vs ${want}`);
  const tanhHead = bcLoss(tf.slice(o, [0, 0], [n, actDim]) as tf.Tensor2D, a, 'mse', 'tanh');
  t.ok(Math.abs(tanhHead.dataSync()[0] - mseRef(o32, a32)) < 1e-6, "a 'tanh' head's mse is on tanh(out)");
  t.throws(() => bcLoss(o, a, 'nll', 'tanh'), /'nll' loss needs a 'gaussian-tanh' actor/);
  tf.dispose([o, a, mse, nll, tanhHead]);
});

t.test('gradients of both losses match float64 central differences', async (t) => {
  for (const [loss, ref] of [['mse', mseRef], ['nll', nllRef]] as const) {
    const [o, a] = asTensors();
    const grad = tf.grad((x: tf.Tensor) => bcLoss(x as tf.Tensor2D, a, loss, 'gaussian-tanh'))(o);
    const g = grad.dataSync();
    const base = Float64Array.from(Float32Array.from(out));
    const a32 = Float32Array.from(actions);
    const h = 1e-6;
    for (let i = 0; i < base.length; i++) {
      const plus = Float64Array.from(base);
      const minus = Float64Array.from(base);
      plus[i] += h;
      minus[i] -= h;
      const fd = (ref(plus, a32) - ref(minus, a32)) / (2 * h);
      t.ok(Math.abs(g[i] - fd) < 1e-4 + 1e-3 * Math.abs(fd), `${loss} d/dout[${i}]: ${g[i]} vs ${fd}`);
    }
    tf.dispose([o, a, grad]);
  }
});

/** Expert actions a = tanh(W s) of a fixed linear map: a small MLP can fit them closely. */
function linearExpert(size: number, seed: number) {
  const r = new Rng(seed);
  const obs = Float32Array.from({ length: size * 3 }, () => r.uniform(-1, 1));
  const W = [0.8, -1.2, 0.5];
  const actionsOut = Float32Array.from({ length: size }, (_, i) => Math.tanh(W[0] * obs[3 * i] + W[1] * obs[3 * i + 1] + W[2] * obs[3 * i + 2]));
  return { size, obsDim: 3, actDim: 1, obs, actions: actionsOut };
}

t.test('behaviourCloning fits an actor in place, deterministically, without leaking tensors', async (t) => {
  const data = linearExpert(200, 1);
  const fit = (seed: number, loss: 'mse' | 'nll') => {
    const actor = new Mlp({ inputDim: 3, hidden: [32], outputDim: 2, activation: 'relu' }, new Rng(seed).stream('init'), 'actor');
    const optimizer = createOptimizer('adam', { lr: 3e-3 });
    const progress: number[] = [];
    const batches = new Rng(seed).stream('batches');
    // One step first: Adam creates its moment slots on its first update, which are state, not leaks.
    behaviourCloning(actor, 'gaussian-tanh', data, { loss, steps: 1, batchSize: 64, optimizer, rng: batches });
    const before = tf.memory().numTensors;
    const last = behaviourCloning(actor, 'gaussian-tanh', data, { loss, steps: 300, batchSize: 64, optimizer, rng: batches, logEvery: 100, onProgress: (p) => progress.push(p.loss) });
    const leaked = tf.memory().numTensors - before;
    const pred = tf.tidy(() => tf.tanh(tf.slice(actor.apply(tf.tensor2d(data.obs, [data.size, 3])), [0, 0], [data.size, 1]))).dataSync();
    const mse = Array.from(pred).reduce((s, p, i) => s + (p - data.actions[i]) ** 2, 0) / data.size;
    const weights = actor.variables[0].dataSync().slice();
    actor.dispose();
    optimizer.dispose();
    return { last, progress, leaked, mse, weights };
  };
  const a = fit(0, 'mse');
  t.equal(a.progress.length, 3, 'progress every 100 steps');
  t.equal(a.last.step, 300);
  t.ok(a.mse < 5e-3, `fitted mse ${a.mse}`);
  t.ok(a.progress[2] < a.progress[0], 'the loss falls');
  t.equal(a.leaked, 0, 'no tensors left behind');
  const b = fit(0, 'mse');
  t.same(b.weights, a.weights, 'same seed, same weights');
  const nll = fit(0, 'nll');
  t.ok(nll.mse < 2e-2, `nll also fits the mean: mse ${nll.mse}`);
  t.ok(nll.progress[2] < nll.progress[0], 'the nll falls');
});

t.test('behaviourCloning rejects mismatched actors and data', async (t) => {
  const data = linearExpert(10, 2);
  const actor = new Mlp({ inputDim: 4, hidden: [8], outputDim: 2, activation: 'relu' }, new Rng(0), 'actor');
  const optimizer = createOptimizer('adam', { lr: 1e-3 });
  const opts = { loss: 'mse' as const, steps: 1, batchSize: 4, optimizer, rng: new Rng(0) };
  t.throws(() => behaviourCloning(actor, 'gaussian-tanh', data, opts), /the actor takes 4 inputs, the demonstrations have 3/);
  const tanhActor = new Mlp({ inputDim: 3, hidden: [8], outputDim: 1, activation: 'relu' }, new Rng(0), 'actor');
  t.throws(() => behaviourCloning(tanhActor, 'tanh', data, { ...opts, loss: 'nll' }), /'nll' loss needs a 'gaussian-tanh' actor/);
  t.throws(() => behaviourCloning(tanhActor, 'tanh', { ...data, size: 0, obs: new Float32Array(0), actions: new Float32Array(0) }, opts), /no demonstration transitions/);
  actor.dispose();
  tanhActor.dispose();
  optimizer.dispose();
});

t.test('config: defaults and errors naming the key', async (t) => {
  t.match(parseBcConfig({}), { loss: 'mse', steps: 2000, batchSize: 256, lr: 1e-3, actorNet: [256, 256] });
  t.throws(() => parseBcConfig({ los: 'mse' }), /unknown key 'los'/);
  t.throws(() => parseBcConfig({ loss: 'l1' }), /loss/);
  t.throws(() => parseBcConfig({ optim: { actor: { name: 'adam', betta1: 0.9 } } }), /optim\.actor: .*betta1/);
});

t.test('Bc saves a policy that acts like it', async (t) => {
  const bc = new Bc(parseBcConfig({ steps: 20, batchSize: 16, actorNet: [16] }), { obsDim: 3, actDim: 1, rng: new Rng(4) });
  bc.fit(linearExpert(50, 3));
  const dir = t.testdir();
  await bc.savePolicy(dir);
  const policy = await loadPolicy(dir);
  const obs = Float32Array.from([0.2, -0.4, 0.9]);
  t.same(policy.act(obs), bc.act(obs));
  t.match(policy.meta, { loss: 'mse', logStdMin: -20, logStdMax: 2 });
  t.equal(policy.sample(obs, new Rng(1)).length, 1);
  policy.dispose();
  bc.dispose();
});
