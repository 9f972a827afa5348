import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { householderQr, matMul, transpose } from '../../src/optim/linalg.js';
import { createOptimizer } from '../../src/optim/registry.js';
import { Soap, soapPlan, SOAP_DEFAULTS, type SoapOptions } from '../../src/optim/soap.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const gaussian = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.normal());
const soap = (o: Partial<SoapOptions>) => new Soap({ ...SOAP_DEFAULTS, ...o });

/** Runs `opt` on one variable of `shape` from `w0` with the given gradients; W after every step. */
function trajectory(opt: tf.Optimizer, shape: number[], w0: number[], grads: number[][]): Float32Array[] {
  const init = tf.tensor(w0, shape);
  const v = tf.variable(init);
  init.dispose();
  const out = grads.map((g) => {
    const grad = tf.tensor(g, shape);
    opt.applyGradients([{ name: v.name, tensor: grad }]);
    grad.dispose();
    return v.dataSync() as Float32Array;
  });
  v.dispose();
  return out;
}

/** The AdamW that SOAP reduces to (spec A1/S2), in float64: ε on √V, decay after the step, raw lr. */
function laggedAdamW(w0: number[], grads: number[][], o: SoapOptions): number[][] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const out: number[][] = [[...w]]; // the warm-up step does not move W
  grads.slice(1).forEach((g, k) => {
    const step = k + 1;
    const alpha = (o.lr * Math.sqrt(1 - o.beta2 ** step)) / (1 - o.beta1 ** step);
    for (let i = 0; i < w.length; i++) {
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
      w[i] = (w[i] - (alpha * m[i]) / (Math.sqrt(v[i]) + o.eps)) * (1 - o.lr * o.weightDecay);
    }
    out.push([...w]);
  });
  return out;
}

t.test('S1: the first step only fills the preconditioner', async (t) => {
  const rng = new Rng(1);
  const opt = soap({ lr: 0.1 });
  const w0 = gaussian(rng, 12);
  const [after] = trajectory(opt, [4, 3], w0, [gaussian(rng, 12)]);
  t.same(Array.from(after), Array.from(Float32Array.from(w0)), 'W bit-identical');
  t.equal(opt.updatesOf(0), 0);
  opt.dispose();
});

t.test('S2: with no side preconditioned SOAP is the lagged AdamW (float64 reference)', async (t) => {
  const rng = new Rng(2);
  const o = { ...SOAP_DEFAULTS, lr: 0.05, beta1: 0.9, beta2: 0.99, weightDecay: 0.1 };
  const grads = Array.from({ length: 9 }, () => gaussian(rng, 12));
  const w0 = gaussian(rng, 12);
  const expected = laggedAdamW(w0, grads, o);
  for (const [name, shape, extra] of [
    ['matrix, maxPrecondDim below both sides', [4, 3], { maxPrecondDim: 2 }],
    ['vector', [12], {}],
  ] as const) {
    const opt = soap({ ...o, ...extra });
    const got = trajectory(opt, [...shape], w0, grads);
    const err = Math.max(...got.map((w, k) => maxAbs(w, expected[k])));
    t.ok(err < 2e-6, `${name}: max error ${err}`);
    opt.dispose();
  }
});

t.test('cross-check against the reference soap.py (float64 numbers in test/fixtures/optim_reference.json)', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const ref = JSON.parse(await readFile(new URL('../fixtures/optim_reference.json', import.meta.url), 'utf8'));
  const o = ref.soap.options;
  const opt = soap({ lr: o.lr, beta1: o.betas[0], beta2: o.betas[1], shampooBeta: o.shampoo_beta, eps: o.eps, weightDecay: o.weight_decay, preconditionFrequency: o.precondition_frequency });
  const w = tf.variable(tf.tensor2d(ref.w0));
  const b = tf.variable(tf.tensor1d(ref.b0));
  ref.grads.forEach(([gw, gb]: [number[][], number[]], k: number) => {
    tf.tidy(() => opt.applyGradients([{ name: w.name, tensor: tf.tensor2d(gw) }, { name: b.name, tensor: tf.tensor1d(gb) }]));
    const [ew, eb] = ref.soap.trajectory[k] as [number[][], number[]];
    const err = Math.max(maxAbs(w.dataSync(), ew.flat()), maxAbs(b.dataSync(), eb));
    t.ok(err < 1e-5, `step ${k + 1} (refreshes after updates 3 and 6): max |W − W_ref| = ${err.toExponential(2)}`);
  });
  tf.dispose([w, b]);
  opt.dispose();
});

t.test('S4: with a fixed eigenbasis SOAP is the lagged AdamW in that basis (float64 reference)', async (t) => {
  const rng = new Rng(4);
  const [m, n] = [5, 4];
  const U = householderQr(gaussian(rng, m * m), m, m).q;
  const V = householderQr(gaussian(rng, n * n), n, n).q;
  const rot = (x: ArrayLike<number>) => Array.from(matMul(matMul(U, x, m, m, n), transpose(V, n, n), m, n, n));
  // G_t = U·D_t·Vᵀ with D_t "diagonal", distinct non-zero entries; W₀ = U·P₀·Vᵀ.
  const diagonals = Array.from({ length: 10 }, () => Array.from({ length: m * n }, (_, i) => (Math.floor(i / n) === i % n ? (1 + (i % n)) * (1 + 0.3 * rng.normal()) : 0)));
  const p0 = gaussian(rng, m * n);
  // ε = 1e-3 keeps float32 noise in the zero rotated entries from being amplified (spec A6.5).
  const o = { ...SOAP_DEFAULTS, lr: 0.01, eps: 1e-3, preconditionFrequency: 3 };
  const got = trajectory(soap(o), [m, n], rot(p0), diagonals.map(rot));
  const expected = laggedAdamW(p0, diagonals, o).map(rot);
  const err = Math.max(...got.map((w, k) => maxAbs(w, expected[k])));
  t.ok(err < 1e-5, `max |W − U·AdamW(P₀)·Vᵀ| = ${err.toExponential(2)}`);
});

t.test('S5: SOAP is rotation-equivariant on square full-rank problems; Adam is not', async (t) => {
  const rng = new Rng(5);
  const n = 5;
  const U = householderQr(gaussian(rng, n * n), n, n).q;
  const V = householderQr(gaussian(rng, n * n), n, n).q;
  const rot = (x: ArrayLike<number>) => Array.from(matMul(matMul(U, x, n, n, n), transpose(V, n, n), n, n, n));
  const w0 = gaussian(rng, n * n);
  const grads = Array.from({ length: 12 }, () => gaussian(rng, n * n));
  for (const f of [1, 3]) {
    // A large ε keeps float32 rounding in the rotated coordinates from being amplified (spec A6.5).
    const make = () => soap({ lr: 0.02, preconditionFrequency: f, eps: 1e-3 });
    const plain = trajectory(make(), [n, n], w0, grads);
    const rotated = trajectory(make(), [n, n], rot(w0), grads.map(rot));
    const err = Math.max(...plain.map((w, k) => maxAbs(rot(w), rotated[k])));
    t.ok(err < 2e-5, `f = ${f}: max |U·W·Vᵀ − W_rotated| = ${err.toExponential(2)}`);
  }
  const adam = () => createOptimizer('adam', { lr: 0.02 });
  const plain = trajectory(adam(), [n, n], w0, grads);
  const rotated = trajectory(adam(), [n, n], rot(w0), grads.map(rot));
  t.ok(maxAbs(rot(plain.at(-1)!), rotated.at(-1)!) > 1e-3, 'Adam breaks equivariance');
});

t.test('S7 and S8: bases stay orthogonal; the first real update has RMS lr', async (t) => {
  const rng = new Rng(8);
  const opt = soap({ lr: 0.01, weightDecay: 0, preconditionFrequency: 2 });
  const w0 = gaussian(rng, 30);
  const traj = trajectory(opt, [6, 5], w0, Array.from({ length: 7 }, () => gaussian(rng, 30)));
  const step = traj[1].map((x, i) => x - traj[0][i]);
  const rms = Math.sqrt(step.reduce((s, x) => s + x * x, 0) / step.length);
  t.ok(Math.abs(rms - 0.01) < 1e-6, `RMS of the first update ${rms}`);
  const weights = await opt.getWeights();
  for (const name of ['0/0/QL', '0/0/QR']) {
    const q = weights.find((w) => w.name === name)!.tensor;
    const d = q.shape[0];
    const qq = matMul(transpose(q.dataSync(), d, d), q.dataSync(), d, d, d);
    const eye = Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0));
    t.ok(maxAbs(qq, eye) < 1e-5, `${name}: ‖QᵀQ − I‖ = ${maxAbs(qq, eye).toExponential(2)} after 3 refreshes`);
  }
  opt.dispose();
});

t.test('a side longer than 64 refreshes through the blocked QR: orthogonal basis, no leak', async (t) => {
  const rng = new Rng(9);
  const opt = soap({ lr: 0.01, preconditionFrequency: 2 });
  const before = tf.memory().numTensors;
  const traj = trajectory(opt, [72, 3], gaussian(rng, 216), Array.from({ length: 6 }, () => gaussian(rng, 216)));
  t.ok(traj.every((w) => w.every(Number.isFinite)));
  const q = (await opt.getWeights()).find((w) => w.name === '0/0/QL')!.tensor;
  const qq = matMul(transpose(q.dataSync(), 72, 72), q.dataSync(), 72, 72, 72);
  const eye = Array.from({ length: 72 * 72 }, (_, i) => (i % 73 === 0 ? 1 : 0));
  t.ok(maxAbs(qq, eye) < 1e-5, `‖QᵀQ − I‖ = ${maxAbs(qq, eye).toExponential(2)} after 2 refreshes`);
  opt.dispose();
  t.equal(tf.memory().numTensors, before);
});

t.test('S9: a refresh sorts by Rayleigh quotient, permutes V on the factor axis, and QRs K·O', async (t) => {
  const opt = soap({ precondition1d: true, preconditionFrequency: 5, beta2: 0.5, shampooBeta: 0.5 });
  const v = tf.variable(tf.zeros([3]));
  const K = [1, 0, 0, 0, 3, 0, 0, 0, 2];
  const state = [
    { name: 'step', tensor: tf.tensor1d([0, 5]) },
    { name: '0/head', tensor: tf.tensor1d([1, 0, 4]) },
    { name: '0/0/m', tensor: tf.zeros([3, 1]) },
    { name: '0/0/v', tensor: tf.tensor2d([[10], [20], [30]]) },
    { name: '0/0/L', tensor: tf.tensor2d(K, [3, 3]) },
    { name: '0/0/QL', tensor: tf.eye(3) },
  ];
  await opt.setWeights(state);
  tf.dispose(state.map((s) => s.tensor));
  tf.tidy(() => opt.applyGradients([{ name: v.name, tensor: tf.zeros([3]) }])); // update 5: refresh
  const after = new Map((await opt.getWeights()).map((w) => [w.name, w.tensor.dataSync()]));
  t.same(Array.from(after.get('0/0/v')!), [10, 15, 5], 'V rows [V₂; V₃; V₁] (decayed by β2 = 0.5)');
  const q = Array.from(after.get('0/0/QL')!, Math.abs);
  t.same(q, [0, 0, 1, 1, 0, 0, 0, 1, 0], 'columns ±e₂, ±e₃, ±e₁');
  t.same(Array.from(v.dataSync()), [0, 0, 0]);
  v.dispose();
  opt.dispose();
});

t.test('S10 and S12: zero gradients decay W by (1 − lr·λ) per update and never give NaN', async (t) => {
  const rng = new Rng(10);
  const o = { lr: 0.1, weightDecay: 0.2, preconditionFrequency: 3 };
  const w0 = gaussian(rng, 12);
  const traj = trajectory(soap(o), [4, 3], w0, Array.from({ length: 26 }, () => new Array(12).fill(0)));
  const expected = w0.map((x) => x * (1 - 0.1 * 0.2) ** 25);
  t.ok(maxAbs(traj.at(-1)!, expected) < 1e-6, 'W₀·(1 − lr·λ)^25');
  t.ok(traj.every((w) => w.every(Number.isFinite)), 'finite through 8 refreshes of a zero factor');
  // A gradient after a run of zeros still gives a finite, bounded step.
  const opt = soap(o);
  const mixed = trajectory(opt, [4, 3], w0, [...Array.from({ length: 10 }, () => new Array(12).fill(0)), gaussian(rng, 12), gaussian(rng, 12)]);
  t.ok(mixed.every((w) => w.every(Number.isFinite)));
  opt.dispose();
});

t.test('soapPlan: one-sided, merged and vector treatment (spec A2 table)', async (t) => {
  const o = { maxPrecondDim: 10000, mergeDims: false, precondition1d: false };
  t.same(soapPlan([768, 3072], o).block, { rows: 768, cols: 3072, left: true, right: true });
  t.same(soapPlan([50, 20000], o).block, { rows: 50, cols: 20000, left: true, right: false }, 'one-sided');
  t.same(soapPlan([50, 100], { ...o, mergeDims: true }).block, { rows: 5000, cols: 1, left: true, right: false }, '(50, 100) → [5000]');
  t.same(soapPlan([768, 3072], { ...o, mergeDims: true }).block, { rows: 768, cols: 3072, left: true, right: true }, 'unchanged');
  t.same(soapPlan([7], o).block, { rows: 7, cols: 1, left: false, right: false }, 'vector: Adam');
  t.same(soapPlan([7], { ...o, precondition1d: true }).block, { rows: 7, cols: 1, left: true, right: false });
  t.same(soapPlan([], o).block, { rows: 1, cols: 1, left: false, right: false }, 'scalar: Adam');
  t.same(soapPlan([2, 4, 3], o), { layout: { count: 2, rows: 4, cols: 3 }, block: { rows: 4, cols: 3, left: true, right: true } });
});

t.test('normalizeGrads and mergeDims: the first update has RMS α and lr', async (t) => {
  const rng = new Rng(11);
  // normalizeGrads scales N to RMS 1 before the bias-corrected α = lr·√(1 − β2)/(1 − β1) applies.
  const alpha = (0.01 * Math.sqrt(1 - SOAP_DEFAULTS.beta2)) / (1 - SOAP_DEFAULTS.beta1);
  for (const [extra, expected] of [[{ normalizeGrads: true }, alpha], [{ mergeDims: true }, 0.01]] as const) {
    const w0 = gaussian(rng, 12);
    const traj = trajectory(soap({ lr: 0.01, weightDecay: 0, ...extra }), [4, 3], w0, [gaussian(rng, 12), gaussian(rng, 12)]);
    const step = traj[1].map((x, i) => x - traj[0][i]);
    const rms = Math.sqrt(step.reduce((s, x) => s + x * x, 0) / step.length);
    t.ok(Math.abs(rms - expected) < 1e-5 * expected / 0.01, `${JSON.stringify(extra)}: RMS ${rms}, expected ${expected}`);
  }
});

t.test('a rank-3 parameter is a batch of independent matrices', async (t) => {
  const rng = new Rng(12);
  const o = { lr: 0.01, preconditionFrequency: 2 };
  const w0 = gaussian(rng, 24);
  const grads = Array.from({ length: 6 }, () => gaussian(rng, 24));
  const batched = trajectory(soap(o), [2, 4, 3], w0, grads);
  for (const k of [0, 1]) {
    const alone = trajectory(soap(o), [4, 3], w0.slice(12 * k, 12 * k + 12), grads.map((g) => g.slice(12 * k, 12 * k + 12)));
    t.ok(maxAbs(batched.at(-1)!.slice(12 * k, 12 * k + 12), alone.at(-1)!) === 0, `matrix ${k} bit-identical`);
  }
});

t.test('checkpoint/resume continues bit for bit across a refresh, with no tensor leak', async (t) => {
  const rng = new Rng(13);
  const o = { lr: 0.01, preconditionFrequency: 3 };
  const shapes = [[5, 4], [4], []];
  const w0 = shapes.map((s) => gaussian(rng, s.reduce((a, b) => a * b, 1)));
  const grads = Array.from({ length: 12 }, () => shapes.map((s) => gaussian(rng, s.reduce((a, b) => a * b, 1))));
  const before = tf.memory().numTensors;
  const run = async (opt: Soap, vars: tf.Variable[], from: number, to: number) => {
    for (let k = from; k < to; k++) tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[k][i], shapes[i]) }))));
  };
  const make = (values: ArrayLike<number>[]) =>
    values.map((x, i) => {
      const init = tf.tensor(Array.from(x), shapes[i]);
      const v = tf.variable(init);
      init.dispose();
      return v;
    });
  const straight = soap(o);
  const sv = make(w0);
  await run(straight, sv, 0, 12);
  const first = soap(o);
  const fv = make(w0);
  await run(first, fv, 0, 7);
  const saved = (await first.getWeights()).map((w) => ({ name: w.name, tensor: tf.tensor(w.tensor.dataSync(), w.tensor.shape) }));
  const resumed = soap(o);
  const rv = make(fv.map((v) => v.dataSync()));
  await resumed.setWeights(saved);
  tf.dispose(saved.map((s) => s.tensor));
  await run(resumed, rv, 7, 12); // refreshes after updates 9 (call 10)
  rv.forEach((v, i) => t.same(Array.from(v.dataSync()), Array.from(sv[i].dataSync()), `parameter ${i} bit-identical`));
  for (const opt of [straight, first, resumed]) opt.dispose();
  tf.dispose([...sv, ...fv, ...rv]);
  t.equal(tf.memory().numTensors, before, 'numTensors back to where it was');
});

t.test('restoring a state that does not fit the variables is an error naming the slot', async (t) => {
  const opt = soap({});
  const v = tf.variable(tf.zeros([3, 2]));
  tf.tidy(() => opt.applyGradients([{ name: v.name, tensor: tf.ones([3, 2]) }]));
  const w = tf.variable(tf.zeros([4, 2]));
  t.throws(() => tf.tidy(() => opt.applyGradients([{ name: w.name, tensor: tf.ones([4, 2]) }])), /soap: state slot 0 .* does not fit variable/);
  await t.rejects(opt.setWeights([]), /tensor 'step' is missing/);
  tf.dispose([v, w]);
  opt.dispose();
});
