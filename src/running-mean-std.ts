/**
 * Per-feature running mean and variance, as Gymnasium's `RunningMeanStd`.
 *
 * The statistics start at mean 0, variance 1 and a pseudo-count of 1e-4 (Gymnasium's default):
 * they behave as if a weight-1e-4 sample of variance 1 centred at 0 had been seen before the
 * first real one, so the first normalised value is finite and the prior fades after a few
 * samples. Each batch is merged with Chan et al.'s parallel-moments formula, which is exact for
 * any batch size and keeps the stored variance the population (ddof = 0) variance.
 *
 * Everything is held in Float64 whatever the input precision: observation normalisers update
 * these statistics millions of times and float32 sums drift visibly over that many updates.
 */

/** Saved statistics of a {@link RunningMeanStd}: plain JSON. */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

/** Gymnasium's initial pseudo-count. */
export const RMS_INITIAL_COUNT = 1e-4;

export class RunningMeanStd {
  /** Number of features (1 for a scalar such as a reward). */
  readonly size: number;
  mean: Float64Array;
  var: Float64Array;
  /** Total weight seen, including the initial pseudo-count. */
  count: number;

  constructor(size: number, initialCount = RMS_INITIAL_COUNT) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`RunningMeanStd: size must be a positive integer, got ${size}`);
    if (!(initialCount > 0) || !Number.isFinite(initialCount)) {
      throw new RangeError(`RunningMeanStd: initialCount must be a positive finite number, got ${initialCount}`);
    }
    this.size = size;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = initialCount;
  }

  /**
   * Merges a batch of samples stored row-major in one flat array: `x.length / size` rows of
   * `size` features. A single sample is a batch of one (`x.length === size`).
   */
  update(x: ArrayLike<number>): void {
    const d = this.size;
    if (x.length === 0 || x.length % d !== 0) {
      throw new RangeError(`RunningMeanStd.update: got ${x.length} values, expected a positive multiple of ${d} (rows of ${d} features)`);
    }
    const rows = x.length / d;
    for (let i = 0; i < x.length; i++) {
      // One NaN would poison the statistics for the rest of the run; fail where it enters.
      if (!Number.isFinite(x[i])) throw new RangeError(`RunningMeanStd.update: value ${x[i]} at row ${Math.floor(i / d)}, feature ${i % d} is not finite`);
    }
    const batchMean = new Float64Array(d);
    const batchVar = new Float64Array(d);
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) batchMean[j] += x[r * d + j];
    for (let j = 0; j < d; j++) batchMean[j] /= rows;
    // Two passes over the batch: the one-pass E[x²] − E[x]² loses digits on offset data.
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        const dev = x[r * d + j] - batchMean[j];
        batchVar[j] += dev * dev;
      }
    }
    for (let j = 0; j < d; j++) batchVar[j] /= rows;
    this.updateFromMoments(batchMean, batchVar, rows);
  }

  /** Merges a batch given by its own mean, population variance and count (Chan's formula). */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    if (batchMean.length !== this.size || batchVar.length !== this.size) {
      throw new RangeError(`RunningMeanStd.updateFromMoments: mean and var need ${this.size} entries, got ${batchMean.length} and ${batchVar.length}`);
    }
    if (!(batchCount > 0) || !Number.isFinite(batchCount)) throw new RangeError(`RunningMeanStd.updateFromMoments: batchCount must be positive, got ${batchCount}`);
    const total = this.count + batchCount;
    for (let j = 0; j < this.size; j++) {
      const delta = batchMean[j] - this.mean[j];
      const m2 = this.var[j] * this.count + batchVar[j] * batchCount + delta * delta * ((this.count * batchCount) / total);
      this.mean[j] += (delta * batchCount) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  /** Writes (x − mean) / √(var + epsilon) into `out` (a new Float32Array by default). */
  normalize(x: ArrayLike<number>, epsilon: number, out: Float32Array = new Float32Array(this.size)): Float32Array {
    if (x.length !== this.size) throw new RangeError(`RunningMeanStd.normalize: got ${x.length} values, expected ${this.size}`);
    for (let j = 0; j < this.size; j++) out[j] = (x[j] - this.mean[j]) / Math.sqrt(this.var[j] + epsilon);
    return out;
  }

  /** A JSON-serialisable copy of the statistics. */
  state(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Restores statistics saved by {@link RunningMeanStd.state}, checking their shape and values. */
  setState(state: RunningMeanStdState): void {
    const where = 'RunningMeanStd.setState';
    if (typeof state !== 'object' || state === null) throw new TypeError(`${where}: state must be an object {mean, var, count}`);
    for (const key of ['mean', 'var'] as const) {
      const v = state[key] as unknown;
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw new TypeError(`${where}: field '${key}' must be an array of ${this.size} numbers`);
      const arr = v as ArrayLike<unknown>;
      if (arr.length !== this.size) throw new RangeError(`${where}: field '${key}' has ${arr.length} entries, expected ${this.size}`);
      for (let j = 0; j < arr.length; j++) {
        const e = arr[j];
        if (typeof e !== 'number' || !Number.isFinite(e) || (key === 'var' && e < 0)) {
          throw new RangeError(`${where}: ${key}[${j}] = ${String(e)} is not a ${key === 'var' ? 'non-negative ' : ''}finite number`);
        }
      }
    }
    if (typeof state.count !== 'number' || !(state.count > 0) || !Number.isFinite(state.count)) {
      throw new RangeError(`${where}: field 'count' must be a positive finite number, got ${String(state.count)}`);
    }
    this.mean = Float64Array.from(state.mean);
    this.var = Float64Array.from(state.var);
    this.count = state.count;
  }

  /** A new instance holding saved statistics. */
  static fromState(state: RunningMeanStdState): RunningMeanStd {
    const size = (state as Partial<RunningMeanStdState> | null)?.mean?.length;
    const rms = new RunningMeanStd(typeof size === 'number' && size > 0 ? size : 1);
    rms.setState(state);
    return rms;
  }
}
