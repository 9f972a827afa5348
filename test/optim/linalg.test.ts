import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { blockedHouseholderQ, householderQr, identity, matMul, newtonSchulz, symmetricEigen, transpose } from '../../src/optim/linalg.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const gaussian = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());
/** Q·diag(values)·Qᵀ for a row-major orthogonal q. */
const compose = (q: Float64Array, values: ArrayLike<number>, n: number) => {
  const scaled = Float64Array.from(q, (x, i) => x * values[i % n]);
  return matMul(scaled, transpose(q, n, n), n, n, n);
};
const randomOrthogonal = (rng: Rng, n: number) => householderQr(gaussian(rng, n * n), n, n).q;

/** Singular values of a row-major rows×cols matrix, from the float64 eigenvalues of AᵀA. */
const singularValues = (a: ArrayLike<number>, rows: number, cols: number) =>
  Array.from(symmetricEigen(matMul(transpose(a, rows, cols), a, cols, rows, cols), cols).values, (v) => Math.sqrt(Math.max(v, 0)));

t.test('symmetricEigen reconstructs random, zero, rank-deficient and ill-conditioned matrices', async (t) => {
  const rng = new Rng(1);
  const n = 12;
  const q = randomOrthogonal(rng, n);
  const cases: [string, number[]][] = [
    ['random spectrum', Array.from({ length: n }, () => rng.normal())],
    ['zero', new Array(n).fill(0)],
    ['rank 3', [5, 2, 1, ...new Array(n - 3).fill(0)]],
    ['condition 1e12', Array.from({ length: n }, (_, i) => 10 ** (-i))],
    ['repeated', [2, 2, 2, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 3, 3]],
  ];
  for (const [name, spectrum] of cases) {
    const a = compose(q, spectrum, n);
    const { values, vectors } = symmetricEigen(a, n);
    const expected = [...spectrum].sort((x, y) => y - x);
    t.ok(maxAbs(values, expected) < 1e-13 * Math.max(1, Math.abs(expected[0])), `${name}: eigenvalues ${maxAbs(values, expected)}`);
    t.ok(maxAbs(matMul(transpose(vectors, n, n), vectors, n, n, n), identity(n)) < 1e-13, `${name}: orthogonal vectors`);
    t.ok(maxAbs(compose(vectors, values, n), a) < 1e-13, `${name}: V·diag(w)·Vᵀ = A`);
    for (let i = 1; i < n; i++) t.ok(values[i - 1] >= values[i], `${name}: descending`);
  }
});

t.test('symmetricEigen from a warm start gives the same decomposition', async (t) => {
  const rng = new Rng(2);
  const n = 9;
  const spectrum = Array.from({ length: n }, (_, i) => n - i + 0.1 * rng.normal());
  const a = compose(randomOrthogonal(rng, n), spectrum, n);
  const cold = symmetricEigen(a, n);
  // Start near the answer: the true basis slightly rotated.
  const near = householderQr(Float64Array.from(cold.vectors, (x) => x + 1e-3 * rng.normal()), n, n).q;
  const warm = symmetricEigen(a, n, near);
  t.ok(maxAbs(warm.values, cold.values) < 1e-12);
  t.ok(maxAbs(compose(warm.vectors, warm.values, n), a) < 1e-12);
  t.throws(() => symmetricEigen(a, n, new Float64Array(3)), /warm start must be 9×9/);
  t.throws(() => symmetricEigen(new Float64Array(5), 2), /expected 2×2 = 4 entries, got 5/);
});

t.test('householderQr: A = QR with orthonormal Q, also for zero and dependent columns', async (t) => {
  const rng = new Rng(3);
  const rows = 7;
  const cols = 5;
  const full = gaussian(rng, rows * cols);
  const dependent = Float64Array.from(full);
  for (let i = 0; i < rows; i++) {
    dependent[i * cols + 1] = 0; // a zero column
    dependent[i * cols + 3] = 2 * dependent[i * cols + 0]; // a copy of column 0
  }
  for (const [name, a] of [['full rank', full], ['zero and dependent columns', dependent], ['zero matrix', new Float64Array(rows * cols)]] as const) {
    const { q, r } = householderQr(a, rows, cols);
    t.ok(maxAbs(matMul(transpose(q, rows, cols), q, cols, rows, cols), identity(cols)) < 1e-14, `${name}: QᵀQ = I`);
    t.ok(maxAbs(matMul(q, r, rows, cols, cols), a) < 1e-13, `${name}: QR = A`);
    for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) t.equal(r[i * cols + j], 0, `${name}: R upper triangular`);
    t.notOk(Array.from(q).some((x) => !Number.isFinite(x)), `${name}: finite`);
  }
  t.throws(() => householderQr(full, cols, rows), /needs rows ≥ cols, got 5×7/);
});

t.test('Newton–Schulz (spec B6): rank-1 value, invariances, zero, singular value range', async (t) => {
  const rng = new Rng(4);
  const run = (a: Float64Array, rows: number, cols: number) => {
    const out = tf.tidy(() => newtonSchulz(tf.tensor2d(Float32Array.from(a), [rows, cols])));
    const values = Float64Array.from(out.dataSync());
    out.dispose();
    return values;
  };
  // M1: u vᵀ → (u/|u|)(v/|v|)ᵀ·φ⁵(1), φ⁵(1) = 0.696436.
  const u = gaussian(rng, 6);
  const v = gaussian(rng, 4);
  const nu = Math.hypot(...u);
  const nv = Math.hypot(...v);
  const outer = Float64Array.from({ length: 24 }, (_, k) => u[Math.floor(k / 4)] * v[k % 4]);
  const expected = Float64Array.from(outer, (x) => (0.696436 * x) / (nu * nv));
  t.ok(maxAbs(run(outer, 6, 4), expected) < 1e-4, 'M1');
  // M2 scale invariance, M3 transpose, M4 orthogonal equivariance.
  const g = gaussian(rng, 6 * 4);
  const base = run(g, 6, 4);
  t.ok(maxAbs(run(Float64Array.from(g, (x) => 37 * x), 6, 4), base) < 2e-6, 'M2');
  t.ok(maxAbs(run(transpose(g, 6, 4), 4, 6), transpose(base, 6, 4)) < 1e-6, 'M3');
  const U = randomOrthogonal(rng, 6);
  const V = randomOrthogonal(rng, 4);
  const rotated = matMul(matMul(U, g, 6, 6, 4), transpose(V, 4, 4), 6, 4, 4);
  t.ok(maxAbs(run(rotated, 6, 4), matMul(matMul(U, base, 6, 6, 4), transpose(V, 4, 4), 6, 4, 4)) < 2e-6, 'M4');
  // M5: NS(0) = 0 exactly.
  t.same(Array.from(run(new Float64Array(12), 3, 4)), new Array(12).fill(0), 'M5');
  // M6: Gaussian 128×32 → every singular value in [0.68, 1.16].
  const big = gaussian(rng, 128 * 32);
  const sv = singularValues(run(big, 128, 32), 128, 32);
  t.ok(Math.min(...sv) >= 0.68 && Math.max(...sv) <= 1.16, `M6: singular values in [${Math.min(...sv).toFixed(3)}, ${Math.max(...sv).toFixed(3)}]`);
  t.equal(tf.memory().numTensors, 0);
});

t.test('blockedHouseholderQ equals the Float64 Householder Q to float32 rounding, also on rank-deficient input', async (t) => {
  const rng = new Rng(6);
  const d = 70;
  const full = gaussian(rng, d * d);
  const lowRank = matMul(gaussian(rng, d * 3), gaussian(rng, 3 * d), d, 3, d); // rank 3
  // A rank-3 matrix of tiny entries (a factor of small gradients): the trailing columns are
  // float32 noise of ~1e-20, whose reflectors must not overflow float32.
  const tiny = Float64Array.from(lowRank, (x) => x * 1e-14);
  for (const [name, a] of [['full rank', full], ['rank 3', lowRank], ['rank 3, entries ~1e-14', tiny], ['zero', new Float64Array(d * d)]] as const) {
    const before = tf.memory().numTensors;
    const input = tf.tensor2d(Float32Array.from(a), [d, d]);
    const q = blockedHouseholderQ(input, 16);
    const got = q.dataSync();
    tf.dispose([input, q]);
    t.equal(tf.memory().numTensors, before, `${name}: no tensor leak`);
    t.ok(maxAbs(matMul(transpose(got, d, d), got, d, d, d), identity(d)) < 1e-5, `${name}: orthogonal`);
    if (name === 'full rank') {
      const ref = householderQr(Float32Array.from(a), d, d).q;
      t.ok(maxAbs(got, ref) < 1e-4, `${name}: same Q as householderQr (${maxAbs(got, ref).toExponential(2)})`);
    } else {
      // Qᵀ·A is upper triangular: the range of A is spanned by the leading columns.
      const r = matMul(transpose(got, d, d), a, d, d, d);
      let below = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) below = Math.max(below, Math.abs(r[i * d + j]));
      const scale = Math.max(1e-300, ...Array.from(a, Math.abs));
      t.ok(below <= 1e-4 * scale, `${name}: QᵀA upper triangular (${below.toExponential(2)} against entries ${scale.toExponential(2)})`);
      t.ok(Array.from(got).every(Number.isFinite), `${name}: finite`);
    }
  }
});
