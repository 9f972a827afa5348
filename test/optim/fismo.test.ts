import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { Fismo, type FismoOptions } from '../../src/optim/fismo.js';
import { identity, matMul, NS_COEFFICIENTS, symmetricEigen, transpose } from '../../src/optim/linalg.js';
import { createOptimizer, fismoOptionsSchema, muonOptionsSchema } from '../../src/optim/registry.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const gaussian = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.normal());
const fismo = (o: Record<string, unknown>) => new Fismo(fismoOptionsSchema.parse(o) as FismoOptions);
const muon = (o: Record<string, unknown>) => new Fismo(muonOptionsSchema.parse(o) as FismoOptions);

function trajectory(opt: tf.Optimizer, shape: number[], w0: number[], grads: number[][]): Float32Array[] {
  const init = tf.tensor(w0, shape);
  const v = tf.variable(init);
  init.dispose();
  const out = grads.map((g) => {
    tf.tidy(() => opt.applyGradients([{ name: v.name, tensor: tf.tensor(g, shape) }]));
    return v.dataSync() as Float32Array;
  });
  v.dispose();
  return out;
}

/** Symmetric matrix function E·f(w)·Eᵀ in float64. */
function matFn(a: ArrayLike<number>, n: number, f: (w: number) => number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const scaled = Float64Array.from(vectors, (x, i) => x * f(values[i % n]));
  return matMul(scaled, transpose(vectors, n, n), n, n, n);
}

/** Muon's quintic Newton–Schulz in float64 (spec B1). */
function ns64(x0: Float64Array, rows: number, cols: number, steps = 5): Float64Array {
  const [a, b, c] = NS_COEFFICIENTS;
  const tall = rows > cols;
  let x = tall ? transpose(x0, rows, cols) : Float64Array.from(x0);
  const [r, k] = tall ? [cols, rows] : [rows, cols];
  const norm = Math.hypot(...x) + 1e-7;
  x = x.map((v) => v / norm);
  for (let s = 0; s < steps; s++) {
    const A = matMul(x, transpose(x, r, k), r, k, r);
    const B = Float64Array.from(matMul(A, A, r, r, r), (v, i) => b * A[i] + c * v);
    const bx = matMul(B, x, r, r, k);
    x = x.map((v, i) => a * v + bx[i]);
  }
  return tall ? transpose(x, r, k) : x;
}

/** FISMO per spec C1 in float64 (Gauss–Seidel factors, exact inverse roots), no weight decay, scale 1. */
function fismo64(w0: number[], grads: number[][], m: number, n: number, o: { lr: number; momentum: number; factorBeta: number; damping: number }) {
  let P = identity(m);
  let Q = identity(n);
  let M = new Float64Array(m * n);
  const w = Float64Array.from(w0);
  const out: Float64Array[] = [];
  const update = (F: Float64Array, stat: Float64Array, d: number, other: number) => {
    const tr = (X: Float64Array) => Array.from({ length: d }, (_, i) => X[i * d + i]).reduce((s, x) => s + x, 0);
    const damp = (o.damping * tr(F)) / d;
    const blended = Float64Array.from(F, (x, i) => o.factorBeta * x + (1 - o.factorBeta) * (stat[i] / other + (i % (d + 1) === 0 ? damp : 0)));
    const s = d / tr(blended);
    const normed = blended.map((x) => x * s);
    return Float64Array.from(normed, (_, i) => 0.5 * (normed[i] + normed[(i % d) * d + Math.floor(i / d)]));
  };
  for (const g of grads) {
    const G = Float64Array.from(g);
    const Gt = transpose(G, m, n);
    P = update(P, matMul(matMul(G, matFn(Q, n, (x) => 1 / x), m, n, n), Gt, m, n, m), m, n);
    Q = update(Q, matMul(matMul(Gt, matFn(P, m, (x) => 1 / x), n, m, m), G, n, m, n), n, m);
    const Pi = matFn(P, m, (x) => 1 / Math.sqrt(x));
    const Qi = matFn(Q, n, (x) => 1 / Math.sqrt(x));
    const white = matMul(matMul(Pi, G, m, m, n), Qi, m, n, n);
    M = M.map((x, i) => o.momentum * x + (1 - o.momentum) * white[i]);
    const dw = matMul(matMul(Pi, ns64(M, m, n), m, m, n), Qi, m, n, n);
    for (let i = 0; i < w.length; i++) w[i] -= o.lr * dw[i];
    out.push(Float64Array.from(w));
  }
  return { out, P, Q };
}

t.test('FISMO matches a float64 restatement of spec C1 (Gauss–Seidel order, exact roots)', async (t) => {
  const rng = new Rng(1);
  const [m, n] = [5, 3];
  const o = { lr: 0.05, momentum: 0.9, factorBeta: 0.8, damping: 0.1 };
  const w0 = gaussian(rng, m * n);
  // Row scales make the factors far from I, so a wrong order of the factor updates shows.
  const grads = Array.from({ length: 8 }, () => gaussian(rng, m * n).map((x, i) => x * (1 + Math.floor(i / n))));
  const ref = fismo64(w0, grads, m, n, o);
  const got = trajectory(fismo(o), [m, n], w0, grads);
  const err = Math.max(...got.map((w, k) => maxAbs(w, ref.out[k])));
  t.ok(err < 2e-5, `max |W − W_ref| over 8 steps = ${err.toExponential(2)}`);
  // The Jacobi-order variant (both factors from the old ones) is measurably different.
  t.ok(maxAbs(ref.P, identity(m)) > 0.05, 'factors moved away from I');
});

t.test('F1: factor EMA 1 keeps P = Q = I and equals Muon without Nesterov, bit for bit', async (t) => {
  const rng = new Rng(2);
  const w0 = gaussian(rng, 20);
  const grads = Array.from({ length: 6 }, () => gaussian(rng, 20));
  const a = trajectory(fismo({ lr: 0.02, factorBeta: 1 }), [5, 4], w0, grads);
  const b = trajectory(muon({ lr: 0.02, nesterov: false, scale: 'none' }), [5, 4], w0, grads);
  t.same(Array.from(a.at(-1)!), Array.from(b.at(-1)!));
});

t.test('F2: heavy damping approaches Muon as O(1/μ)', async (t) => {
  const rng = new Rng(3);
  const w0 = gaussian(rng, 20);
  const grads = Array.from({ length: 6 }, () => gaussian(rng, 20));
  const target = trajectory(muon({ lr: 0.02, nesterov: false, scale: 'none' }), [5, 4], w0, grads).at(-1)!;
  const errs = [1e2, 1e4].map((mu) => maxAbs(trajectory(fismo({ lr: 0.02, damping: mu }), [5, 4], w0, grads).at(-1)!, target));
  t.ok(errs[0] > 1e-5 && errs[1] < errs[0] / 30, `μ 1e2: ${errs[0].toExponential(2)}, μ 1e4: ${errs[1].toExponential(2)}`);
});

t.test('F3: tr P = m, tr Q = n, both symmetric positive definite after every step', async (t) => {
  const rng = new Rng(4);
  const opt = fismo({ lr: 0.02, damping: 0.01, factorBeta: 0.5 });
  const init = tf.tensor(gaussian(rng, 42), [7, 6]);
  const v = tf.variable(init);
  init.dispose();
  for (let step = 0; step < 10; step++) {
    tf.tidy(() => opt.applyGradients([{ name: v.name, tensor: tf.tensor(gaussian(rng, 42).map((x, i) => x * (i % 7)), [7, 6]) }]));
    const state = new Map((await opt.getWeights()).map((w) => [w.name, w.tensor.dataSync()]));
    for (const [name, d] of [['0/0/P', 7], ['0/0/Q', 6]] as const) {
      const F = state.get(name)!;
      let trace = 0;
      for (let i = 0; i < d; i++) trace += F[i * d + i];
      t.ok(Math.abs(trace - d) < 1e-4 * d, `step ${step}: tr ${name} = ${trace}`);
      t.equal(maxAbs(F, transpose(F, d, d)), 0, `${name} symmetric`);
      t.ok(symmetricEigen(F, d).values[d - 1] > 0, `${name} positive definite`);
    }
  }
  v.dispose();
  opt.dispose();
});

t.test('F6: with β = 0, P^{1/2}·ΔW·Q^{1/2} has Newton–Schulz singular values', async (t) => {
  const rng = new Rng(5);
  const [m, n] = [6, 4];
  const opt = fismo({ lr: 1, momentum: 0, factorBeta: 0.5 });
  const w0 = gaussian(rng, m * n);
  const [w1] = trajectory(opt, [m, n], w0, [gaussian(rng, m * n).map((x, i) => x * (1 + (i % n)))]);
  const state = new Map((await opt.getWeights()).map((w) => [w.name, w.tensor.dataSync()]));
  const dw = Float64Array.from(w1, (x, i) => w0[i] - x);
  const white = matMul(matMul(matFn(state.get('0/0/P')!, m, Math.sqrt), dw, m, m, n), matFn(state.get('0/0/Q')!, n, Math.sqrt), m, n, n);
  const sv = Array.from(symmetricEigen(matMul(transpose(white, m, n), white, n, m, n), n).values, Math.sqrt);
  t.ok(Math.min(...sv) > 0.6 && Math.max(...sv) < 1.25, `singular values ${sv.map((s) => s.toFixed(3))}`);
});

t.test('F9: zero gradients leave W and P unchanged, with no NaN', async (t) => {
  const rng = new Rng(6);
  const opt = fismo({ lr: 0.02 });
  const w0 = gaussian(rng, 12);
  const traj = trajectory(opt, [4, 3], w0, Array.from({ length: 10 }, () => new Array(12).fill(0)));
  t.same(Array.from(traj.at(-1)!), Array.from(Float32Array.from(w0)));
  const P = (await opt.getWeights()).find((w) => w.name === '0/0/P')!.tensor.dataSync();
  t.ok(maxAbs(P, identity(4)) < 1e-6, 'P = I');
  opt.dispose();
});

t.test('cross-check against the reference muon.py (float64 numbers in test/fixtures/optim_reference.json)', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const ref = JSON.parse(await readFile(new URL('../fixtures/optim_reference.json', import.meta.url), 'utf8'));
  const o = ref.muon.options;
  const opt = createOptimizer('muon', { lr: o.lr, momentum: o.momentum, weightDecay: o.weight_decay, adamLr: o.adam_lr, adamBeta1: o.adam_betas[0], adamBeta2: o.adam_betas[1], adamEpsilon: o.adam_eps, adamWeightDecay: o.adam_weight_decay });
  // The reference weight is PyTorch's [out, in]; imitate stores [in, out], so it gets the transpose
  // (and the step scale √max(1, fanOut/fanIn) must come out the same).
  const w = tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(ref.w0))));
  const b = tf.variable(tf.tensor1d(ref.b0));
  ref.grads.forEach(([gw, gb]: [number[][], number[]], k: number) => {
    tf.tidy(() => opt.applyGradients([{ name: w.name, tensor: tf.transpose(tf.tensor2d(gw)) }, { name: b.name, tensor: tf.tensor1d(gb) }]));
    const [ew, eb] = ref.muon.trajectory[k] as [number[][], number[]];
    const err = Math.max(maxAbs(tf.tidy(() => tf.transpose(w).dataSync()), ew.flat()), maxAbs(b.dataSync(), eb));
    t.ok(err < 2e-5, `step ${k + 1}: max |W − W_ref| = ${err.toExponential(2)}`);
  });
  tf.dispose([w, b]);
  opt.dispose();
});

t.test('rootInterval, rank-3 batches, and bit-exact resume', async (t) => {
  const rng = new Rng(7);
  const shapes = [[2, 4, 3], [3], []];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const o = { lr: 0.02, rootInterval: 2, factorBeta: 0.7 };
  const w0 = shapes.map((s) => gaussian(rng, size(s)));
  const grads = Array.from({ length: 9 }, () => shapes.map((s) => gaussian(rng, size(s))));
  const make = (values: ArrayLike<number>[]) =>
    values.map((x, i) => {
      const init = tf.tensor(Array.from(x), shapes[i]);
      const v = tf.variable(init);
      init.dispose();
      return v;
    });
  const run = (opt: tf.Optimizer, vars: tf.Variable[], from: number, to: number) => {
    for (let k = from; k < to; k++) tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[k][i], shapes[i]) }))));
  };
  const before = tf.memory().numTensors;
  const straight = fismo(o);
  const sv = make(w0);
  run(straight, sv, 0, 9);
  // Roots are refreshed on updates 1, 3, 5, ...: after update 4 they are those of update 3.
  const probe = fismo(o);
  const pv = make(w0);
  run(probe, pv, 0, 3);
  const rootsAt3 = (await probe.getWeights()).find((w) => w.name === '0/0/PI')!.tensor.dataSync().slice();
  run(probe, pv, 3, 4);
  t.same(Array.from((await probe.getWeights()).find((w) => w.name === '0/0/PI')!.tensor.dataSync()), Array.from(rootsAt3), 'roots kept between refreshes');
  const saved = (await probe.getWeights()).map((w) => ({ name: w.name, tensor: tf.tensor(w.tensor.dataSync(), w.tensor.shape) }));
  const resumed = fismo(o);
  const rv = make(pv.map((v) => v.dataSync()));
  await resumed.setWeights(saved);
  tf.dispose(saved.map((s) => s.tensor));
  run(resumed, rv, 4, 9);
  rv.forEach((v, i) => t.same(Array.from(v.dataSync()), Array.from(sv[i].dataSync()), `parameter ${i} bit-identical after resume`));
  // Each matrix of the rank-3 parameter behaves as a [4, 3] parameter on its own.
  const alone = fismo(o);
  const lone = tf.tensor(w0[0].slice(12, 24), [4, 3]);
  const av = [tf.variable(lone)];
  lone.dispose();
  for (let k = 0; k < 9; k++) tf.tidy(() => alone.applyGradients([{ name: av[0].name, tensor: tf.tensor(grads[k][0].slice(12, 24), [4, 3]) }]));
  t.same(Array.from(av[0].dataSync()), Array.from(sv[0].dataSync().slice(12, 24)), 'batch member 1 bit-identical to a lone matrix');
  for (const opt of [straight, probe, resumed, alone]) opt.dispose();
  tf.dispose([...sv, ...pv, ...rv, ...av]);
  t.equal(tf.memory().numTensors, before, 'no tensor leak');
});

t.test('options are validated; Muon rejects FISMO-only options', async (t) => {
  t.throws(() => createOptimizer('muon', { damping: 1 }), /unknown option 'damping'/);
  t.throws(() => createOptimizer('fismo', { scale: 'big' }), /scale must be 'none', 'muon' or 'rms'/);
  t.throws(() => createOptimizer('fismo', { factorBeta: 0, damping: 0 }), /factorBeta 0 with damping 0/);
  t.same((createOptimizer('fismo', { lr: 0.1 }) as Fismo).options.adamLr, 0.1, 'adamLr defaults to lr');
});
