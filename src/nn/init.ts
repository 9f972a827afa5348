/**
 * Weight initialisers. Every value is drawn from an explicit {@link Rng} in a fixed order, so one
 * seed gives the same network on every backend (tfjs's own initialisers use their own generator).
 *
 * Weights follow the dense layer's convention `y = x·W + b`: W has shape [fanIn, fanOut].
 */
import type { Rng } from '../rng.js';

/** The initialisation schemes {@link initWeights} knows. */
export type InitScheme = 'orthogonal' | 'glorot';

/**
 * A (semi-)orthogonal [fanIn, fanOut] matrix scaled by `gain`, as torch.nn.init.orthogonal_: the
 * Q of a QR decomposition of a Gaussian matrix, with Q's column signs fixed by R's diagonal so the
 * result is Haar-distributed. Columns are orthonormal when fanIn ≥ fanOut (WᵀW = gain²·I), rows
 * otherwise (WWᵀ = gain²·I). The QR runs in float64.
 */
export function orthogonal(fanIn: number, fanOut: number, rng: Rng, gain = 1): Float32Array {
  checkDims(fanIn, fanOut);
  const rows = Math.max(fanIn, fanOut);
  const cols = Math.min(fanIn, fanOut);
  // A is rows×cols, column-major (column j at a[j*rows ...]) so Householder steps touch contiguous memory.
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const q = thinQ(a, rows, cols);
  const out = new Float32Array(fanIn * fanOut);
  if (fanIn >= fanOut) {
    // W[i][j] = Q[i][j]
    for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) out[i * fanOut + j] = gain * q[j * rows + i];
  } else {
    // W = Qᵀ: W[i][j] = Q[j][i]
    for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) out[i * fanOut + j] = gain * q[i * rows + j];
  }
  return out;
}

/** Glorot (Xavier) uniform: U(−l, l) with l = gain·√(6 / (fanIn + fanOut)). */
export function glorotUniform(fanIn: number, fanOut: number, rng: Rng, gain = 1): Float32Array {
  checkDims(fanIn, fanOut);
  const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
  return out;
}

/** A [fanIn, fanOut] weight matrix by `scheme`. */
export function initWeights(scheme: InitScheme, fanIn: number, fanOut: number, rng: Rng, gain = 1): Float32Array {
  switch (scheme) {
    case 'orthogonal':
      return orthogonal(fanIn, fanOut, rng, gain);
    case 'glorot':
      return glorotUniform(fanIn, fanOut, rng, gain);
    default:
      throw new Error(`unknown init scheme '${String(scheme)}'; use orthogonal or glorot`);
  }
}

/** Zero biases (the convention of SB3 and CleanRL for both schemes). */
export function zeros(n: number): Float32Array {
  return new Float32Array(n);
}

function checkDims(fanIn: number, fanOut: number): void {
  if (!Number.isInteger(fanIn) || fanIn <= 0 || !Number.isInteger(fanOut) || fanOut <= 0) {
    throw new RangeError(`weight shape must be positive integers, got [${fanIn}, ${fanOut}]`);
  }
}

/**
 * Householder QR of the column-major rows×cols matrix `a` (rows ≥ cols), overwriting it; returns
 * the thin Q (rows×cols, column-major) with each column multiplied by sign(R[j][j]).
 */
function thinQ(a: Float64Array, rows: number, cols: number): Float64Array {
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(cols);
  for (let k = 0; k < cols; k++) {
    const col = k * rows;
    let norm = 0;
    for (let i = k; i < rows; i++) norm += a[col + i] * a[col + i];
    norm = Math.sqrt(norm);
    const alpha = a[col + k] > 0 ? -norm : norm;
    const v = new Float64Array(rows - k);
    for (let i = k; i < rows; i++) v[i - k] = a[col + i];
    v[0] -= alpha;
    let vNorm2 = 0;
    for (let i = 0; i < v.length; i++) vNorm2 += v[i] * v[i];
    if (vNorm2 > 0) {
      // Apply H = I − 2vvᵀ/(vᵀv) to the remaining columns.
      for (let j = k; j < cols; j++) {
        const cj = j * rows;
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += v[i] * a[cj + k + i];
        const f = (2 * dot) / vNorm2;
        for (let i = 0; i < v.length; i++) a[cj + k + i] -= f * v[i];
      }
    }
    rDiag[k] = a[col + k];
    vs.push(vNorm2 > 0 ? v.map((x) => x / Math.sqrt(vNorm2)) : v);
  }
  // Q = H_0 H_1 … H_{cols−1} applied to the first `cols` columns of I.
  const q = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) q[j * rows + j] = 1;
  for (let k = cols - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < cols; j++) {
      const cj = j * rows;
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * q[cj + k + i];
      for (let i = 0; i < v.length; i++) q[cj + k + i] -= 2 * dot * v[i];
    }
  }
  for (let j = 0; j < cols; j++) {
    if (rDiag[j] < 0) for (let i = 0; i < rows; i++) q[j * rows + i] = -q[j * rows + i];
  }
  return q;
}
