/**
 * Small dense linear algebra for the matrix optimizers (SOAP, FISMO, Muon): a symmetric
 * eigendecomposition and a Householder QR in Float64 on the CPU, and Newton–Schulz
 * orthogonalisation in TensorFlow.js. TF.js has no eigh and its QR is built from many small ops,
 * so the factorisations run here in plain Float64Array loops; the matrices are at most a few
 * hundred wide, and they are factorised only every few steps.
 *
 * Matrices are row-major Float64Arrays; `rows × cols` are passed alongside.
 */
import * as tf from '@tensorflow/tfjs';

/** Eigenpairs of a symmetric matrix: `values` descending, `vectors` row-major with eigenvector j in column j. */
export interface Eigen {
  values: Float64Array;
  vectors: Float64Array;
}

const MAX_SWEEPS = 60;

/**
 * Eigendecomposition of the symmetric n×n matrix `a` (only read; it is symmetrised first, since
 * EMAs of G Gᵀ drift from exact symmetry in float32) by cyclic Jacobi rotations. Jacobi is
 * slower than tridiagonal QL but accurate to working precision on any input, including zero,
 * rank-deficient and badly conditioned matrices, and it converges in one or two sweeps when
 * started from a nearly right basis: `start` (n×n, orthogonal) is such a warm start, as FISMO
 * has from its previous factor. Eigenvalues are returned in descending order.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, start?: ArrayLike<number>): Eigen {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n}×${n} = ${n * n} entries, got ${a.length}`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  let v: Float64Array;
  let w: Float64Array;
  if (start === undefined) {
    v = identity(n);
    w = m;
  } else {
    if (start.length !== n * n) throw new RangeError(`symmetricEigen: warm start must be ${n}×${n}, got ${start.length} entries`);
    v = Float64Array.from(start);
    w = congruence(v, m, n);
  }
  jacobi(w, v, n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = w[i * n + i];
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[y] - values[x] || x - y);
  const sortedValues = Float64Array.from(order, (i) => values[i]);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vectors[r * n + c] = v[r * n + order[c]];
  return { values: sortedValues, vectors };
}

/** Vᵀ·M·V for row-major n×n matrices (the warm start's rotated matrix), symmetrised. */
function congruence(v: Float64Array, m: Float64Array, n: number): Float64Array {
  const mv = matMul(m, v, n, n, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const vki = v[k * n + i];
      if (vki === 0) continue;
      const row = k * n;
      for (let j = 0; j < n; j++) out[i * n + j] += vki * mv[row + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i] = 0.5 * (out[i * n + j] + out[j * n + i]);
  return out;
}

/** Diagonalises symmetric `w` in place, accumulating the rotations into the columns of `v`. */
function jacobi(w: Float64Array, v: Float64Array, n: number): void {
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += w[i * n + i] * w[i * n + i];
      for (let j = i + 1; j < n; j++) off += w[i * n + j] * w[i * n + j];
    }
    // Converged when the off-diagonal mass is below rounding of the diagonal; exact zeros (the
    // zero matrix, already-diagonal factors) stop at once.
    if (off === 0 || off <= 1e-32 * diag) return;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q];
        if (apq === 0) continue;
        const app = w[p * n + p];
        const aqq = w[q * n + q];
        // A rotation that would not change app or aqq in floating point only zeroes apq.
        if (Math.abs(apq) < 1e-18 * Math.sqrt(Math.abs(app * aqq)) ) {
          w[p * n + q] = w[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = w[k * n + p];
          const akq = w[k * n + q];
          const np = c * akp - s * akq;
          const nq = s * akp + c * akq;
          w[k * n + p] = w[p * n + k] = np;
          w[k * n + q] = w[q * n + k] = nq;
        }
        w[p * n + p] = app - t * apq;
        w[q * n + q] = aqq + t * apq;
        w[p * n + q] = w[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
}

/**
 * Householder QR of the row-major `rows × cols` matrix `a` (rows ≥ cols): the thin Q
 * (rows × cols, orthonormal columns) and R (cols × cols, upper triangular), with A = Q·R.
 * Unlike Gram–Schmidt it stays orthogonal on zero or dependent columns: a zero column gives the
 * identity reflector, so Q gets a unit vector there and R a zero on the diagonal.
 */
export function householderQr(a: ArrayLike<number>, rows: number, cols: number): { q: Float64Array; r: Float64Array } {
  if (a.length !== rows * cols) throw new RangeError(`householderQr: expected ${rows}×${cols} = ${rows * cols} entries, got ${a.length}`);
  if (rows < cols) throw new RangeError(`householderQr: needs rows ≥ cols, got ${rows}×${cols}`);
  // Column-major working copy: every reflector touches whole columns, so they are contiguous.
  const w = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[j * rows + i] = a[i * cols + j];
  const vs: Float64Array[] = [];
  const betas = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const base = j * rows;
    let norm2 = 0;
    for (let i = j; i < rows; i++) norm2 += w[base + i] * w[base + i];
    const x0 = w[base + j];
    const alpha = -(x0 >= 0 ? 1 : -1) * Math.sqrt(norm2);
    const v = new Float64Array(rows - j);
    for (let i = j; i < rows; i++) v[i - j] = w[base + i];
    v[0] -= alpha;
    // Scaled to v₀ = 1 (as LAPACK), so β ∈ [1, 2] however small the column.
    const head = v[0];
    for (let i = 0; i < v.length; i++) v[i] = head === 0 ? 0 : v[i] / head;
    let vnorm2 = 0;
    for (let i = 0; i < v.length; i++) vnorm2 += v[i] * v[i];
    const beta = vnorm2 > 0 ? 2 / vnorm2 : 0;
    vs.push(v);
    betas[j] = beta;
    if (beta === 0) continue;
    for (let c = j; c < cols; c++) reflect(w, c * rows + j, v, beta);
  }
  const r = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) for (let j = i; j < cols; j++) r[i * cols + j] = w[j * rows + i];
  // Q = H₀·H₁·…·I[:, :cols], accumulated from the last reflector, column-major.
  const qc = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) qc[j * rows + j] = 1;
  for (let j = cols - 1; j >= 0; j--) {
    if (betas[j] === 0) continue;
    for (let c = j; c < cols; c++) reflect(qc, c * rows + j, vs[j], betas[j]);
  }
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[i * cols + j] = qc[j * rows + i];
  return { q, r };
}

/** x ← (I − β·v·vᵀ)·x for the segment of `buf` starting at `offset`, of v's length. */
function reflect(buf: Float64Array, offset: number, v: Float64Array, beta: number): void {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i] * buf[offset + i];
  const f = beta * dot;
  if (f === 0) return;
  for (let i = 0; i < v.length; i++) buf[offset + i] -= f * v[i];
}

/** Row-major product of `a` (m×k) and `b` (k×n) in Float64. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const row = p * n;
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] += aip * b[row + j];
    }
  }
  return out;
}

/** Row-major transpose of the `rows × cols` matrix `a`. */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** The n×n identity. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Quintic Newton–Schulz coefficients (a, b, c) of Muon (Jordan et al.): large slope at zero. */
export const NS_COEFFICIENTS: readonly [number, number, number] = [3.4445, -4.775, 2.0315];

/**
 * Approximate polar factor U·Vᵀ of `g` (2-D) by `steps` quintic Newton–Schulz iterations,
 * X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ, after scaling X to unit Frobenius norm (+1e-7, so that
 * NS(0) = 0). Singular values come out in about [0.68, 1.2], not exactly 1 (spec B5). Works on
 * the wide orientation so that A is the smaller Gram matrix, and uses no transpose flags (they
 * leave XNNPACK's fast path on wasm). Call inside tf.tidy.
 */
export function newtonSchulz(g: tf.Tensor2D, steps = 5, coefficients: readonly [number, number, number] = NS_COEFFICIENTS): tf.Tensor2D {
  const [a, b, c] = coefficients;
  const tall = g.shape[0] > g.shape[1];
  let x = (tall ? tf.transpose(g) : g) as tf.Tensor2D;
  x = tf.div(x, tf.add(tf.norm(x), 1e-7));
  for (let i = 0; i < steps; i++) {
    const xt = tf.transpose(x);
    const gram = tf.matMul(x, xt);
    const poly = tf.add(tf.mul(b, gram), tf.mul(c, tf.matMul(gram, gram)));
    x = tf.add(tf.mul(a, x), tf.matMul(poly, x));
  }
  return (tall ? tf.transpose(x) : x) as tf.Tensor2D;
}

/**
 * The Q factor of the Householder QR of square `s` (d×d), blocked: each panel of `panel` columns is
 * factorised in Float64 on the CPU and turned into a compact-WY block reflector I − V·T·Vᵀ
 * (LAPACK's dlarft), and the trailing-matrix updates and the accumulation of Q — all the O(d³)
 * work — run as TF.js matmuls in float32. Same reflectors and signs as {@link householderQr}, so
 * the same Q up to float32 rounding (orthogonal to ~1e-6), about 5× faster for d = 256 on wasm.
 * Returns a new tensor; `s` is not disposed.
 */
export function blockedHouseholderQ(s: tf.Tensor2D, panel = 32): tf.Tensor2D {
  const d = s.shape[0];
  if (s.shape[1] !== d) throw new RangeError(`blockedHouseholderQ: needs a square matrix, got [${s.shape}]`);
  const blocks: { start: number; v: tf.Tensor2D; vt: tf.Tensor2D; t: tf.Tensor2D }[] = [];
  let work = tf.clone(s); // rows start.., columns start.. of the partially reduced matrix
  for (let start = 0; start < d; start += panel) {
    const rows = d - start;
    const width = Math.min(panel, rows);
    const cols = work.shape[1];
    const values = work.dataSync();
    // Panel, column-major in Float64.
    const p = new Float64Array(rows * width);
    for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) p[j * rows + i] = values[i * cols + j];
    const v = new Float64Array(rows * width); // column k holds reflector k from row k down
    const betas = new Float64Array(width);
    for (let k = 0; k < width; k++) {
      const base = k * rows;
      let norm2 = 0;
      for (let i = k; i < rows; i++) norm2 += p[base + i] * p[base + i];
      const alpha = -(p[base + k] >= 0 ? 1 : -1) * Math.sqrt(norm2);
      // v scaled to v_k = 1 (as LAPACK): |v_i| ≤ 1 and β ∈ [1, 2], so V and T stay in float32
      // range even for the near-zero columns of a rank-deficient matrix.
      const head = p[base + k] - alpha;
      let vnorm2 = 0;
      for (let i = k; i < rows; i++) {
        const x = head === 0 ? 0 : (p[base + i] - (i === k ? alpha : 0)) / head;
        v[base + i] = x;
        vnorm2 += x * x;
      }
      const beta = vnorm2 > 0 ? 2 / vnorm2 : 0;
      betas[k] = beta;
      if (beta === 0) continue;
      for (let c = k; c < width; c++) {
        let dot = 0;
        for (let i = k; i < rows; i++) dot += v[base + i] * p[c * rows + i];
        const f = beta * dot;
        for (let i = k; i < rows; i++) p[c * rows + i] -= f * v[base + i];
      }
    }
    // T (upper triangular): H₀·…·H_{w−1} = I − V·T·Vᵀ; T[:k, k] = −β_k·T[:k, :k]·(V[:, :k]ᵀ v_k).
    const t = new Float64Array(width * width);
    for (let k = 0; k < width; k++) {
      t[k * width + k] = betas[k];
      if (betas[k] === 0 || k === 0) continue;
      const w = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = k; i < rows; i++) dot += v[j * rows + i] * v[k * rows + i];
        w[j] = dot;
      }
      for (let r = 0; r < k; r++) {
        let acc = 0;
        for (let j = r; j < k; j++) acc += t[r * width + j] * w[j];
        t[r * width + k] = -betas[k] * acc;
      }
    }
    const vFull = new Float32Array(d * width);
    for (let i = 0; i < rows; i++) for (let k = 0; k < width; k++) vFull[(start + i) * width + k] = v[k * rows + i];
    const block = tf.tidy(() => {
      const vt = tf.tensor2d(vFull, [d, width]);
      return { v: vt, vt: tf.transpose(vt) as tf.Tensor2D, t: tf.tensor2d(Float32Array.from(t), [width, width]) };
    });
    blocks.push({ start, ...block });
    if (width === cols) break;
    // Trailing columns: A₂ ← (I − V·T·Vᵀ)ᵀ·A₂ = A₂ − V·Tᵀ·(Vᵀ·A₂), then drop the finished rows.
    const next = tf.tidy(() => {
      const a2 = tf.slice(work, [0, width], [rows, cols - width]);
      const vLocal = tf.slice(block.v, [start, 0], [rows, width]);
      const vtLocal = tf.slice(block.vt, [0, start], [width, rows]);
      const updated = tf.sub(a2, tf.matMul(vLocal, tf.matMul(tf.transpose(block.t), tf.matMul(vtLocal, a2))));
      return tf.slice(updated, [width, 0], [rows - width, cols - width]) as tf.Tensor2D;
    });
    work.dispose();
    work = next;
  }
  work.dispose();
  // Q = B₀·B₁·…·I, applied from the last block.
  let q = tf.eye(d) as tf.Tensor2D;
  for (let k = blocks.length - 1; k >= 0; k--) {
    const b = blocks[k];
    const nextQ = tf.tidy(() => tf.sub(q, tf.matMul(b.v, tf.matMul(b.t, tf.matMul(b.vt, q)))) as tf.Tensor2D);
    q.dispose();
    q = nextQ;
  }
  for (const b of blocks) tf.dispose([b.v, b.vt, b.t]);
  return q;
}
