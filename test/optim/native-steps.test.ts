/**
 * The fused native SOAP and FISMO/Muon steps (native/soap_step.c and native/fismo_step.c via src/optim/soap-native.ts
 * and src/optim/fismo-native.ts) against the tf-ops steps on the wasm kernels: the same options,
 * initial weights and gradient sequences on both paths, over enough steps for several basis
 * refreshes (SOAP) and inverse-root refreshes (FISMO), on every kind of parameter the optimizers
 * handle. The two paths round differently (CBLAS vs XNNPACK products, LAPACK vs the JS
 * factorisations), so they agree to float32 tolerance, not bit for bit. Also: writing in place
 * leaves tensors that shared a variable's memory alone, a checkpoint taken on the native path
 * resumes bit for bit, and SOAP's upkeep in the background gives the inline upkeep's results bit
 * for bit.
 */
import * as tf from '@tensorflow/tfjs';
import t, { type Test } from 'tap';
import { initBackend } from '../../src/backend.js';
import { activeBlasAddon, nativeBlasActive, nativeBlasInfo, setNativeBlasEnabled } from '../../src/native-blas.js';
import { fusedOptimizerSteps, setUpkeepInBackground } from '../../src/native-optim.js';
import type { NamedTensor } from '../../src/optim/adam.js';
import { Fismo, type FismoOptions } from '../../src/optim/fismo.js';
import { fismoOptionsSchema, muonOptionsSchema } from '../../src/optim/registry.js';
import { Soap, SOAP_DEFAULTS, type SoapOptions } from '../../src/optim/soap.js';
import { Rng } from '../../src/rng.js';

await initBackend();
const available = nativeBlasActive() && fusedOptimizerSteps() !== null;
const skip = available ? false : 'the native addon (with its fused optimizer steps) is not active here: IMITATE_NATIVE_BLAS=0, or not built';

const gaussian = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());

/** Largest |a − b| over the largest |b|: a relative error that ignores entries near zero. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let size = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(b[i]));
  }
  return size === 0 ? worst : worst / size;
}

interface Run {
  weights: Float32Array[];
  state: Map<string, Float32Array>;
}

/**
 * `steps` updates of fresh variables of `shapes` (same seeds on every call) by `make()`, on the
 * native path or the tf-ops one; gradients scaled per parameter so that they are not all alike.
 * Returns the weights and the optimizer's state after the last step.
 */
async function run(make: () => tf.Optimizer, shapes: number[][], steps: number, native: boolean): Promise<Run> {
  setNativeBlasEnabled(native);
  const rng = new Rng(7);
  const vars = shapes.map((s) => tf.tidy(() => tf.variable(tf.tensor(gaussian(rng, s.reduce((a, b) => a * b, 1), 0.5), s))));
  const opt = make();
  try {
    for (let k = 0; k < steps; k++) {
      const grads: NamedTensor[] = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(gaussian(rng, v.size, 1 + i), v.shape) }));
      opt.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
    }
    const weights = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const state = new Map<string, Float32Array>();
    for (const w of await opt.getWeights()) state.set(w.name, Float32Array.from(w.tensor.dataSync() as Float32Array));
    return { weights, state };
  } finally {
    opt.dispose();
    tf.dispose(vars);
    setNativeBlasEnabled(true);
  }
}

/**
 * Runs both paths and checks weights and state to `tol`; `signFree` names state entries compared
 * in absolute value (SOAP's bases and its moments in their coordinates: a basis column's sign is
 * arbitrary, and the paths' QRs may choose differently), `skipped` those not compared.
 */
async function agree(t: Test, what: string, make: () => tf.Optimizer, shapes: number[][], steps: number, tol: number, signFree: RegExp | null, skipped: RegExp | null = null): Promise<void> {
  const before = tf.memory().numTensors;
  const native = await run(make, shapes, steps, true);
  t.equal(tf.memory().numTensors, before, `${what}: no tensor leaks on the native path`);
  const ops = await run(make, shapes, steps, false);
  native.weights.forEach((w, i) => {
    const err = relError(w, ops.weights[i]);
    t.ok(err < tol, `${what}: parameter ${i} [${shapes[i]}] agrees (relative error ${err.toExponential(2)} < ${tol})`);
  });
  t.same([...native.state.keys()].sort(), [...ops.state.keys()].sort(), `${what}: same state entries`);
  for (const [name, value] of native.state) {
    if (skipped?.test(name)) continue;
    const abs = (x: Float32Array) => (signFree?.test(name) ? x.map(Math.abs) : x);
    const err = relError(abs(value), abs(ops.state.get(name)!));
    t.ok(err < tol, `${what}: state ${name} agrees (relative error ${err.toExponential(2)})`);
  }
}

const soap = (o: Partial<SoapOptions>) => () => new Soap({ ...SOAP_DEFAULTS, lr: 0.01, ...o });
const fismo = (o: Partial<FismoOptions>) => () => new Fismo({ ...fismoOptionsSchema.parse({}), lr: 0.01, ...o } as FismoOptions);
const muon = (o: Partial<FismoOptions>) => () => new Fismo({ ...muonOptionsSchema.parse({}), lr: 0.01, ...o } as FismoOptions);

// Tall and wide matrices, a vector and a scalar (Adam in SOAP, AdamW in FISMO), and a rank-3
// batch of two matrices (independent blocks). Sides differ by at most one: SOAP's first basis is
// the eigenbasis of (1−β)·G Gᵀ, whose null space has the dimension of that difference, and a
// basis of a null space of dimension ≥ 2 is whatever rounding makes it, on either path.
const SHAPES = [[6, 5], [4, 5], [9], [], [2, 3, 4]];
const SOAP_SIGNS = /\/(m|QL|QR)$/;

t.test('SOAP: native and tf-ops steps agree over three basis refreshes', { skip }, async (t) => {
  // 31 calls: the warm-up, then 30 updates with refreshes after updates 10, 20 and 30.
  await agree(t, 'defaults', soap({}), SHAPES, 31, 2e-4, SOAP_SIGNS);
  await agree(t, 'normalizeGrads, no weight decay, frequency 3', soap({ normalizeGrads: true, weightDecay: 0, preconditionFrequency: 3 }), SHAPES, 14, 2e-4, SOAP_SIGNS);
  await agree(t, 'one-sided (maxPrecondDim 5)', soap({ maxPrecondDim: 5, preconditionFrequency: 4 }), SHAPES, 13, 2e-4, SOAP_SIGNS);
  // A preconditioned vector's first factor has rank 1: length 2 keeps its null space 1-D. mergeDims
  // flattens [1, 2] into such a vector but leaves [6, 5] alone (30 > maxPrecondDim).
  await agree(t, 'precondition1d, mergeDims', soap({ precondition1d: true, mergeDims: true, maxPrecondDim: 10, preconditionFrequency: 4 }), [[2], [1, 2], [6, 5]], 13, 2e-4, SOAP_SIGNS);
  await agree(t, 'shampooBeta 0.8, no bias correction', soap({ shampooBeta: 0.8, correctBias: false, preconditionFrequency: 5 }), SHAPES, 13, 2e-4, SOAP_SIGNS);
  // Sides above 64: the refresh QR in float32 on both paths (LAPACK's sgeqrf, the tf path's blocked
  // QR). Square, so that the first gradient has full rank on both sides (no null space: see above).
  await agree(t, 'sides above 64, normalizeGrads', soap({ preconditionFrequency: 4, normalizeGrads: true }), [[150, 150]], 9, 2e-4, SOAP_SIGNS);
});

t.test('FISMO and Muon: native and tf-ops steps agree', { skip }, async (t) => {
  // The eigenvectors are a warm start whose signs and order within clusters are arbitrary: compared through P⁻¹, P^{-1/2}.
  const vectors = /E$/;
  await agree(t, 'FISMO defaults (roots every update)', fismo({}), SHAPES, 12, 2e-4, null, vectors);
  await agree(t, 'FISMO rootInterval 4, Nesterov, rms scale, weight decay', fismo({ rootInterval: 4, nesterov: true, scale: 'rms', weightDecay: 0.1, adamWeightDecay: 0.1 }), SHAPES, 12, 2e-4, null, vectors);
  await agree(t, 'FISMO one-sided (maxPrecondDim 5), damping 1, γ 0.8', fismo({ maxPrecondDim: 5, damping: 1, factorBeta: 0.8, rootInterval: 3 }), SHAPES, 10, 2e-4, null, vectors);
  await agree(t, 'Muon defaults', muon({}), SHAPES, 12, 2e-4, null);
});

t.test('writing in place leaves tensors that shared a variable\'s memory alone', { skip }, async (t) => {
  for (const make of [soap({}), fismo({})]) {
    const base = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const v = tf.variable(base); // shares base's data until either changes
    const view = tf.reshape(v, [6]);
    const opt = make();
    for (let k = 0; k < 3; k++) {
      const g = tf.tensor([0.5, -1, 2, 0.25, -0.5, 1], [2, 3]);
      opt.applyGradients([{ name: v.name, tensor: g }]);
      g.dispose();
    }
    t.same(Array.from(base.dataSync()), [1, 2, 3, 4, 5, 6], `${opt.getClassName()}: the source tensor is unchanged`);
    t.same(Array.from(view.dataSync()), [1, 2, 3, 4, 5, 6], `${opt.getClassName()}: a reshape taken before the step is unchanged`);
    t.notSame(Array.from(v.dataSync()), [1, 2, 3, 4, 5, 6], `${opt.getClassName()}: the variable moved`);
    tf.dispose([base, v, view]);
    opt.dispose();
  }
});

t.test('a checkpoint taken on the native path resumes bit for bit', { skip }, async (t) => {
  for (const make of [soap({ preconditionFrequency: 4 }), fismo({ rootInterval: 3 }), muon({})]) {
    const rng = new Rng(3);
    const gradients = Array.from({ length: 14 }, () => SHAPES.map((s) => gaussian(rng, s.reduce((a, b) => a * b, 1))));
    const init = SHAPES.map((s) => gaussian(new Rng(5), s.reduce((a, b) => a * b, 1)));
    const start = (from: number, opt: tf.Optimizer, vars: tf.Variable[], to: number) => {
      for (let k = from; k < to; k++) {
        const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(gradients[k][i], v.shape) }));
        opt.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      }
    };
    const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(init[i], s)));
    const opt = make();
    start(0, opt, vars, 6);
    const saved = (await opt.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const savedVars = vars.map((v) => v.clone());
    start(6, opt, vars, 14);
    const resumedVars = savedVars.map((v) => tf.variable(v));
    const resumed = make();
    await resumed.setWeights(saved);
    start(6, resumed, resumedVars, 14);
    vars.forEach((v, i) => t.same(Array.from(resumedVars[i].dataSync()), Array.from(v.dataSync()), `${opt.getClassName()}: parameter ${i} bit-identical after resuming`));
    tf.dispose([...vars, ...resumedVars, ...savedVars, ...saved.map((w) => w.tensor)]);
    opt.dispose();
    resumed.dispose();
  }
});

t.test('SOAP: the upkeep in the background gives the inline results bit for bit', { skip }, async (t) => {
  // Refreshes every 4 updates; mid-run the state is read (the job settles), one parameter has no
  // gradient (the job's blocks change), and one update takes the tf path (the job settles, then a
  // new one starts). The inline run does the same, so every difference would be the job's.
  const shapes = [[64, 48], [6, 5], [9], [2, 3, 4]];
  const background = async (on: boolean) => {
    setUpkeepInBackground(on);
    const rng = new Rng(11);
    const vars = shapes.map((s) => tf.variable(tf.tensor(gaussian(rng, s.reduce((a, b) => a * b, 1), 0.5), s)));
    const opt = soap({ preconditionFrequency: 4 })();
    const states: number[][] = [];
    try {
      for (let k = 0; k < 22; k++) {
        const grads = vars.map((v, i) => ({ name: v.name, tensor: k === 13 && i === 1 ? null : tf.tensor(gaussian(rng, v.size), v.shape) }));
        if (k === 17) setNativeBlasEnabled(false);
        opt.applyGradients(grads as NamedTensor[]);
        setNativeBlasEnabled(true);
        tf.dispose(grads.flatMap((g) => (g.tensor === null ? [] : [g.tensor])));
        if (k === 9 || k === 21) states.push((await opt.getWeights()).flatMap((w) => Array.from(w.tensor.dataSync())));
      }
      return { weights: vars.map((v) => Array.from(v.dataSync())), states };
    } finally {
      opt.dispose();
      tf.dispose(vars);
      setUpkeepInBackground(null);
    }
  };
  const inline = await background(false);
  const threaded = await background(true);
  t.same(threaded.weights, inline.weights, 'the weights are bit-identical');
  t.same(threaded.states, inline.states, 'the state read mid-run and at the end is bit-identical');
  t.ok(inline.states[0].some((x, i) => x !== inline.states[1][i]), 'the state changed between the two reads');
});

t.test('the fused steps give the same bits on 1, 2 or 3 threads', { skip }, async (t) => {
  const addon = activeBlasAddon()!;
  const shapes = [[160, 140], [64, 48], [48, 64], [6, 5], [9], [], [2, 3, 4]];
  const runOn = async (threads: number, make: () => tf.Optimizer) => {
    addon.setOptimThreads!(threads);
    try {
      return await run(make, shapes, 9, true);
    } finally {
      addon.setOptimThreads!(nativeBlasInfo().optimThreads ?? 1);
    }
  };
  for (const [what, make] of [
    ['SOAP, frequency 3', soap({ preconditionFrequency: 3 })],
    ['FISMO, rootInterval 2', fismo({ rootInterval: 2 })],
    ['Muon', muon({})],
  ] as const) {
    const one = await runOn(1, make);
    for (const threads of [2, 3]) {
      const many = await runOn(threads, make);
      t.same(many.weights.map((w) => Array.from(w)), one.weights.map((w) => Array.from(w)), `${what}: the weights on ${threads} threads are those on 1`);
      t.same([...many.state.entries()].map(([k, v]) => [k, Array.from(v)]), [...one.state.entries()].map(([k, v]) => [k, Array.from(v)]), `${what}: so is the state`);
    }
  }
});

t.test('FISMO on the native path names a non-finite Fisher factor', { skip }, async (t) => {
  const v = tf.variable(tf.tensor(gaussian(new Rng(1), 12), [3, 4]));
  const opt = fismo({ rootInterval: 1 })();
  const step = (values: Float32Array) => {
    const g = tf.tensor(values, [3, 4]);
    try {
      opt.applyGradients([{ name: v.name, tensor: g }]);
    } finally {
      g.dispose();
    }
  };
  step(gaussian(new Rng(2), 12));
  const bad = gaussian(new Rng(3), 12);
  bad[5] = Infinity;
  t.throws(() => step(bad), /Fisher factor is not finite: the gradients overflowed or were NaN/, 'an infinite gradient is named as such');
  opt.dispose();
  v.dispose();
});

t.test('FISMO: the dsyev fallback gives the roots dsyevd gives', { skip }, async (t) => {
  const addon = activeBlasAddon()!;
  const shapes = [[40, 30], [6, 5], [9]];
  const usual = await run(fismo({ rootInterval: 2 }), shapes, 7, true);
  const before = addon.forceEigenFallback!(true);
  let fallback: Run;
  try {
    fallback = await run(fismo({ rootInterval: 2 }), shapes, 7, true);
  } finally {
    addon.forceEigenFallback!(false);
  }
  const taken = addon.forceEigenFallback!(false) - before;
  // 2 matrices × 2 sides × refreshes at updates 2, 4 and 6 (and the first, where due).
  t.ok(taken >= 12, `the fallback ran (${taken} eigendecompositions)`);
  usual.weights.forEach((w, i) => {
    const err = relError(fallback.weights[i], w);
    t.ok(err < 1e-5, `parameter ${i} [${shapes[i]}]: relative error ${err.toExponential(2)} < 1e-5`);
  });
  for (const [name, value] of usual.state) {
    if (/E$/.test(name)) continue; // eigenvectors: signs and order within clusters are arbitrary
    const err = relError(fallback.state.get(name)!, value);
    t.ok(err < 1e-5, `state ${name}: relative error ${err.toExponential(2)} < 1e-5`);
  }
});
