import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { Discriminator, discriminatorConfigSchema, type DiscriminatorConfig } from '../../../agents/gail/discriminator.js';
import { gradientNorms, penaltyConfigSchema, penaltyFromNorms, penaltyPoints, PENALTY_TYPES } from '../../../agents/gail/penalty.js';
import { initBackend } from '../../../src/backend.js';
import { Rng } from '../../../src/rng.js';
import { finiteDifferences, forwardF64, layersFrom } from '../../helpers/leaky-mlp-f64.js';

await initBackend();

const OBS = 3;
const ACT = 2;
const D = OBS + ACT;

function makeDisc(overrides: Record<string, unknown> = {}, seed = 1): Discriminator {
  const config: DiscriminatorConfig = discriminatorConfigSchema.parse({ hidden: [7, 6], obsClip: null, ...overrides });
  return new Discriminator(config, { obsDim: OBS, actDim: ACT }, new Rng(seed).stream('d'));
}

function randomRows(n: number, rng: Rng, scale = 1, shift = 0): tf.Tensor2D {
  const v = new Float32Array(n * D);
  for (let i = 0; i < v.length; i++) v[i] = shift + scale * rng.normal();
  return tf.tensor2d(v, [n, D]);
}

const rows = (x: tf.Tensor2D): number[][] => x.arraySync();

/** Float64 copies of the discriminator's variables and its SN vectors. */
function params(disc: Discriminator): { values: number[][]; shapes: number[][]; u: number[][]; v: number[][] } {
  return {
    values: disc.net.variables.map((x) => Array.from(x.dataSync())),
    shapes: disc.net.variables.map((x) => x.shape),
    u: disc.net.norms.map((n) => Array.from(n.u.dataSync())),
    v: disc.net.norms.map((n) => Array.from(n.v.dataSync())),
  };
}

/** λ·penalty in float64 at fixed points, as a function of the (flat) parameters. */
function penaltyF64(p: ReturnType<typeof params>, points: number[][], k: number, oneSided: boolean, lambda: number): number {
  const scale = p.u.map((u, i) => {
    const [rowsN, cols] = p.shapes[2 * i];
    let s = 0;
    for (let r = 0; r < rowsN; r++) for (let c = 0; c < cols; c++) s += p.v[i][r] * p.values[2 * i][r * cols + c] * u[c];
    return s;
  });
  const layers = layersFrom(p.values.map((a) => Float32Array.from(a)), p.shapes, scale);
  // layersFrom copies through float32; rebuild in float64 exactly.
  for (let l = 0; l < layers.length; l++) {
    const [rowsN, cols] = p.shapes[2 * l];
    const s = scale[l] ?? 1;
    for (let r = 0; r < rowsN; r++) for (let c = 0; c < cols; c++) layers[l].w[r][c] = p.values[2 * l][r * cols + c] / s;
    layers[l].b = [...p.values[2 * l + 1]];
  }
  let sum = 0;
  for (const x of points) {
    const g = forwardF64(layers, x, 0.1).grad;
    const norm = Math.sqrt(g.reduce((a, b) => a + b * b, 0) + 1e-12);
    const e = oneSided ? Math.max(0, norm - k) : norm - k;
    sum += e * e;
  }
  return (lambda * sum) / points.length;
}

t.test('input gradient equals tfjs autodiff and float64 finite differences', async (t) => {
  for (const sn of [false, true]) {
    const disc = makeDisc({ spectralNorm: sn });
    const x = randomRows(5, new Rng(3));
    const { h, grad } = disc.logitsAndInputGradient(x);
    const auto = tf.grad((xx: tf.Tensor) => tf.sum(disc.logits(xx as tf.Tensor2D)))(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(auto, grad))).dataSync()[0]);
    t.ok(diff < 1e-5, `SN ${sn}: explicit vs autodiff input gradient (max diff ${diff.toExponential(2)})`);
    const inference = disc.logits(x);
    t.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(inference, h))).dataSync()[0]) < 1e-6, `SN ${sn}: the inference path (tf.leakyRelu) gives the training path's logits`);
    inference.dispose();
    const p = params(disc);
    const pts = rows(x);
    const hs = h.dataSync();
    const g = grad.arraySync();
    for (let i = 0; i < pts.length; i++) {
      const xi = [...pts[i]];
      const logit = () => {
        const scale = p.u.map((u, l) => {
          const [r, c] = p.shapes[2 * l];
          let s = 0;
          for (let a = 0; a < r; a++) for (let b = 0; b < c; b++) s += p.v[l][a] * p.values[2 * l][a * c + b] * u[b];
          return s;
        });
        return forwardF64(layersFrom(p.values.map((a) => Float32Array.from(a)), p.shapes, scale), xi, 0.1).y[0];
      };
      t.ok(Math.abs(logit() - hs[i]) < 1e-5, `SN ${sn}: logit ${i} matches the float64 forward`);
      const [fd] = finiteDifferences(logit, [xi], 1e-4);
      const err = Math.max(...fd.map((v, j) => Math.abs(v - g[i][j])));
      t.ok(err < 1e-3, `SN ${sn}: row ${i} input gradient vs FD (max err ${err.toExponential(2)})`);
    }
    tf.dispose([h, grad, auto, x]);
    disc.dispose();
  }
});

t.test('each penalty type: weight gradient against float64 finite differences', async (t) => {
  for (const type of PENALTY_TYPES.filter((p) => p !== 'none')) {
    for (const oneSided of [false, true]) {
      for (const sn of [false, true]) {
        const disc = makeDisc({ spectralNorm: sn, penalty: { type, oneSided, k: oneSided ? 0.004 : 1, lambda: 3 } });
        const cfg = disc.config.penalty;
        const rng = new Rng(11);
        const e = randomRows(6, rng, 1, 0.5);
        const p = randomRows(6, rng, 1, -0.5);
        const pts = penaltyPoints(cfg, e, p, OBS, rng)!;
        const { value, grads } = tf.variableGrads(() => {
          const { grad } = disc.logitsAndInputGradient(pts);
          return tf.mul(cfg.lambda, penaltyFromNorms(gradientNorms(grad), cfg.k, cfg.oneSided)) as tf.Scalar;
        }, disc.net.variables);
        const ref = params(disc);
        const points = rows(pts);
        const v64 = penaltyF64(ref, points, cfg.k, cfg.oneSided, cfg.lambda);
        const v32 = value.dataSync()[0];
        t.ok(Math.abs(v64 - v32) <= 1e-4 * Math.max(1, Math.abs(v64)), `${type} oneSided=${oneSided} SN=${sn}: value ${v32.toFixed(5)} vs float64 ${v64.toFixed(5)}`);
        t.ok(v64 > 0, `${type} oneSided=${oneSided} SN=${sn}: the penalty is active in this check`);
        const fd = finiteDifferences(() => penaltyF64(ref, points, cfg.k, cfg.oneSided, cfg.lambda), ref.values, 1e-6);
        let worst = 0;
        disc.net.variables.forEach((variable, i) => {
          // The output bias does not move ∇_x h: tfjs gives it no gradient at all.
          const g = grads[variable.name]?.dataSync() ?? new Float32Array(variable.size);
          const scale = Math.max(1e-3, ...fd[i].map(Math.abs));
          fd[i].forEach((f, j) => (worst = Math.max(worst, Math.abs(f - g[j]) / scale)));
        });
        t.ok(worst < 2e-3, `${type} oneSided=${oneSided} SN=${sn}: weight gradient vs FD (worst relative error ${worst.toExponential(2)})`);
        tf.dispose([value, ...Object.values(grads), e, p, pts]);
        disc.dispose();
      }
    }
  }
});

t.test('one-sided penalty is zero (value and gradient) wherever ‖∇h‖ < k', async (t) => {
  const disc = makeDisc();
  const x = randomRows(8, new Rng(5));
  const norms = tf.tidy(() => gradientNorms(disc.logitsAndInputGradient(x).grad));
  const n = Array.from(norms.dataSync());
  const kAbove = Math.max(...n) * 1.01;
  const { value, grads } = tf.variableGrads(() => penaltyFromNorms(gradientNorms(disc.logitsAndInputGradient(x).grad), kAbove, true), disc.net.variables);
  t.equal(value.dataSync()[0], 0, 'k above every norm: penalty 0');
  t.ok(Object.values(grads).every((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0), 'and every weight gradient is exactly 0');
  const sorted = [...n].sort((a, b) => a - b);
  const kMid = (sorted[3] + sorted[4]) / 2;
  const closed = n.reduce((acc, v) => acc + (v > kMid ? (v - kMid) ** 2 : 0), 0) / n.length;
  const twoSided = n.reduce((acc, v) => acc + (v - kMid) ** 2, 0) / n.length;
  const got = tf.tidy(() => penaltyFromNorms(norms, kMid, true).dataSync()[0]);
  const got2 = tf.tidy(() => penaltyFromNorms(norms, kMid, false).dataSync()[0]);
  t.ok(Math.abs(got - closed) < 1e-5 * Math.max(1, closed), `k between norms: only the rows above k count (${got} vs ${closed})`);
  t.ok(Math.abs(got2 - twoSided) < 1e-5 * Math.max(1, twoSided), 'two-sided counts every row');
  tf.dispose([value, ...Object.values(grads), x, norms]);
  disc.dispose();
});

t.test('penalty points follow their distributions', async (t) => {
  const rng = new Rng(9);
  const e = randomRows(400, rng, 1, 2);
  const p = randomRows(400, rng, 1, -2);
  const base = penaltyConfigSchema.parse({});
  const E = rows(e);
  const P = rows(p);
  for (const separateEpsilon of [false, true]) {
    const pts = rows(penaltyPoints({ ...base, type: 'wgan', separateEpsilon }, e, p, OBS, new Rng(1))!);
    let sameEps = true;
    let inRange = true;
    for (let i = 0; i < pts.length; i++) {
      const eps = pts[i].map((v, j) => (v - E[i][j]) / (P[i][j] - E[i][j]));
      inRange &&= eps.every((v) => v >= -1e-4 && v <= 1 + 1e-4);
      const sEps = eps.slice(0, OBS);
      const aEps = eps.slice(OBS);
      sameEps &&= [...sEps, ...aEps].every((v) => Math.abs(v - sEps[0]) < 1e-3) && aEps.every((v) => Math.abs(v - aEps[0]) < 1e-3);
      if (separateEpsilon && Math.abs(sEps[0] - aEps[0]) > 1e-2) sameEps = true; // separate ε: each part constant on its own
    }
    t.ok(inRange, `wgan (separateEpsilon=${separateEpsilon}): every point lies between its expert and agent sample`);
    t.ok(sameEps, `wgan (separateEpsilon=${separateEpsilon}): one ε per part`);
  }
  const wganOne = rows(penaltyPoints({ ...base, type: 'wgan' }, e, p, OBS, new Rng(1))!);
  const wganSep = rows(penaltyPoints({ ...base, type: 'wgan', separateEpsilon: true }, e, p, OBS, new Rng(1))!);
  const differs = wganSep.some((r, i) => {
    const es = (r[0] - E[i][0]) / (P[i][0] - E[i][0]);
    const ea = (r[OBS] - E[i][OBS]) / (P[i][OBS] - E[i][OBS]);
    return Math.abs(es - ea) > 0.05;
  });
  t.ok(differs && wganOne.length === 400, 'separateEpsilon draws different ε for state and action parts');
  for (const [type, centre] of [['dragan', E], ['nagard', P]] as const) {
    const pts = rows(penaltyPoints({ ...base, type, noiseStd: 10 }, e, p, OBS, new Rng(2))!);
    const noise = pts.flatMap((r, i) => r.map((v, j) => v - centre[i][j]));
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length);
    t.ok(Math.abs(mean) < 0.5 && Math.abs(std - 10) < 0.5, `${type}: noise around its centre has mean ${mean.toFixed(2)}, std ${std.toFixed(2)} (σ = 10)`);
  }
  t.equal(penaltyPoints({ ...base, type: 'none' }, e, p, OBS, rng), null, 'none: no points');
  tf.dispose([e, p]);
});

t.test('the clamp zeroes the input gradient on saturated observation coordinates', async (t) => {
  const disc = makeDisc({ obsClip: 5 });
  const x = tf.tensor2d([[7, 0.3, -9, 8, -8], [1, 2, 3, 0.5, 0.5]]);
  const g = disc.logitsAndInputGradient(x).grad.arraySync();
  t.same([g[0][0], g[0][2]], [0, 0], 'observations beyond ±5 get no gradient');
  t.ok(g[0][3] !== 0 && g[0][4] !== 0, 'actions are never clamped');
  t.ok(g[1].every((v) => v !== 0), 'inside the bounds every coordinate has a gradient');
  x.dispose();
  disc.dispose();
});
