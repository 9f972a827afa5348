/**
 * Aggregate statistics of many runs over many tasks, as rliable computes them (Agarwal et al.,
 * "Deep RL at the edge of the statistical precipice", 2021): the interquartile mean, stratified
 * bootstrap confidence intervals with the percentile method, and the probability of improvement.
 *
 * Scores come as strata: `strata[t]` holds the scores of the runs on task t (an env). Tasks may
 * hold different numbers of runs (an unfinished study); a stratified bootstrap resamples each
 * task's runs on their own, so every resample keeps each task's share of the runs.
 *
 * Resample indices come from an {@link IndexSource} (an {@link Rng} stream in practice), drawn in a
 * documented order so that another implementation fed the same indices gets the same numbers.
 */
import type { Rng } from '../rng.js';

/** Scores per task: `strata[t][i]` is run i's score on task t. */
export type Strata = readonly (readonly number[])[];

/** Where resample indices come from: `int(n)` is uniform in [0, n). {@link Rng} is one. */
export type IndexSource = Pick<Rng, 'int'>;

/** A point estimate with a confidence interval. */
export interface Interval {
  point: number;
  lo: number;
  hi: number;
}

export interface BootstrapOptions {
  /** Index source of the resamples. */
  rng: IndexSource;
  /** Number of bootstrap resamples (default {@link DEFAULT_REPS}). */
  reps?: number;
  /** Coverage of the interval (default 0.95). */
  size?: number;
}

/** rliable defaults to 50 000 resamples; 2000 keeps a report quick with percentiles stable to ~0.01. */
export const DEFAULT_REPS = 2000;

/**
 * Mean of `values` after dropping ⌊proportion·n⌋ of the smallest and as many of the largest, as
 * `scipy.stats.trim_mean(values, proportion)`. Throws on an empty input or when nothing is left.
 */
export function trimmedMean(values: ArrayLike<number>, proportion: number): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return trimmedMeanSorted(sorted, sorted.length, proportion);
}

/** The interquartile mean: the mean of the middle half of the scores, pooled over all tasks. */
export function iqm(strata: Strata): number {
  return trimmedMean(strata.flat(), 0.25);
}

/** {@link trimmedMean} of the first `n` entries of an ascending array (no allocation). */
function trimmedMeanSorted(sorted: Float64Array, n: number, proportion: number): number {
  if (!(proportion >= 0 && proportion < 0.5)) throw new RangeError(`trimmed mean: proportion must be in [0, 0.5), got ${proportion}`);
  if (n === 0) throw new RangeError('trimmed mean of no values');
  // scipy: lowercut = int(proportion * nobs), the same count cut from the top.
  const cut = Math.floor(proportion * n);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += sorted[i];
  return sum / (n - 2 * cut);
}

/**
 * The `q`-th percentile (0..100) of the first `n` entries of an ascending array, with NumPy's
 * default ('linear') interpolation, including its way of rounding: from the upper neighbour when
 * the fraction is at least 1/2.
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number, n = sorted.length): number {
  if (n === 0) throw new RangeError('percentile of no values');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100], got ${q}`);
  const index = (n - 1) * (q / 100);
  const below = Math.floor(index);
  const above = Math.min(below + 1, n - 1);
  const t = index - below;
  const a = sorted[below];
  const b = sorted[above];
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * The percentile interval of bootstrap estimates (sorted in place), as arch's `conf_int(method=
 * 'percentile')` that rliable uses: the (1−size)/2 and 1−(1−size)/2 quantiles.
 */
export function percentileInterval(estimates: Float64Array, size = 0.95): [number, number] {
  if (!(size > 0 && size < 1)) throw new RangeError(`interval size must be in (0, 1), got ${size}`);
  estimates.sort();
  const alpha = (1 - size) / 2;
  return [percentileSorted(estimates, 100 * alpha), percentileSorted(estimates, 100 * (1 - alpha))];
}

/** Checks the strata and returns the total number of scores. */
function checkStrata(strata: Strata, what: string): number {
  if (strata.length === 0) throw new RangeError(`${what}: no tasks`);
  let total = 0;
  strata.forEach((s, t) => {
    if (s.length === 0) throw new RangeError(`${what}: task ${t} has no runs`);
    for (const v of s) if (!Number.isFinite(v)) throw new RangeError(`${what}: task ${t} holds a non-finite score (${v})`);
    total += s.length;
  });
  return total;
}

function checkReps(reps: number): void {
  if (!Number.isSafeInteger(reps) || reps < 1) throw new RangeError(`bootstrap reps must be a positive integer, got ${reps}`);
}

/**
 * Writes one stratified resample of `strata` into `out` (tasks one after another, in order):
 * for each task t, n_t draws `rng.int(n_t)`, each picking a run of that task.
 */
function resampleInto(strata: Strata, rng: IndexSource, out: Float64Array): void {
  let k = 0;
  for (const s of strata) {
    const n = s.length;
    for (let i = 0; i < n; i++) out[k++] = s[rng.int(n)];
  }
}

/**
 * Bootstrap estimates of a statistic of the pooled scores: `reps` stratified resamples, each
 * passed to `statistic` in a scratch buffer it may reorder (the buffer is reused, never kept).
 * Draw order: resample by resample, task by task, run slot by run slot.
 */
export function stratifiedBootstrap(strata: Strata, statistic: (pooled: Float64Array) => number, options: BootstrapOptions): Float64Array {
  const reps = options.reps ?? DEFAULT_REPS;
  checkReps(reps);
  const scratch = new Float64Array(checkStrata(strata, 'stratified bootstrap'));
  const estimates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    resampleInto(strata, options.rng, scratch);
    estimates[r] = statistic(scratch);
  }
  return estimates;
}

/** The IQM with its stratified-bootstrap percentile interval. */
export function iqmInterval(strata: Strata, options: BootstrapOptions): Interval {
  const point = iqm(strata);
  const estimates = stratifiedBootstrap(strata, (pooled) => trimmedMeanSorted(pooled.sort(), pooled.length, 0.25), options);
  const [lo, hi] = percentileInterval(estimates, options.size);
  return { point, lo, hi };
}

/** The plain mean with its (stratified) bootstrap percentile interval: a learning curve's band. */
export function meanInterval(strata: Strata, options: BootstrapOptions): Interval {
  const pooled = strata.flat();
  const point = pooled.reduce((a, b) => a + b, 0) / pooled.length;
  const estimates = stratifiedBootstrap(strata, (sample) => {
    let sum = 0;
    for (let i = 0; i < sample.length; i++) sum += sample[i];
    return sum / sample.length;
  }, options);
  const [lo, hi] = percentileInterval(estimates, options.size);
  return { point, lo, hi };
}

/**
 * The Mann–Whitney statistic of x over y, normalised: the fraction of pairs (x_i, y_j) with
 * x_i > y_j, ties counting half. Reads x[xo .. xo+nx) and y[yo .. yo+ny).
 */
function pairWinRate(x: ArrayLike<number>, xo: number, nx: number, y: ArrayLike<number>, yo: number, ny: number): number {
  let wins = 0;
  for (let i = 0; i < nx; i++) {
    const xi = x[xo + i];
    for (let j = 0; j < ny; j++) {
      const yj = y[yo + j];
      if (xi > yj) wins += 1;
      else if (xi === yj) wins += 0.5;
    }
  }
  return wins / (nx * ny);
}

function checkPaired(x: Strata, y: Strata): void {
  checkStrata(x, 'probability of improvement (X)');
  checkStrata(y, 'probability of improvement (Y)');
  if (x.length !== y.length) throw new RangeError(`probability of improvement: X has ${x.length} tasks, Y ${y.length}`);
}

/**
 * P(X > Y) as rliable: per task, the probability that a run of X scores above a run of Y (ties
 * half), averaged over tasks with equal weight. P(X > Y) + P(Y > X) = 1.
 */
export function probabilityOfImprovement(x: Strata, y: Strata): number {
  checkPaired(x, y);
  let sum = 0;
  for (let t = 0; t < x.length; t++) sum += pairWinRate(x[t], 0, x[t].length, y[t], 0, y[t].length);
  return sum / x.length;
}

/**
 * P(X > Y) with its percentile interval over stratified resamples in which X and Y are resampled
 * independently (rliable's StratifiedIndependentBootstrap). Draw order per resample: all of X's
 * tasks, then all of Y's, each as in {@link stratifiedBootstrap}.
 */
export function probabilityOfImprovementInterval(x: Strata, y: Strata, options: BootstrapOptions): Interval {
  const point = probabilityOfImprovement(x, y);
  const reps = options.reps ?? DEFAULT_REPS;
  checkReps(reps);
  const xs = new Float64Array(x.reduce((n, s) => n + s.length, 0));
  const ys = new Float64Array(y.reduce((n, s) => n + s.length, 0));
  const estimates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    resampleInto(x, options.rng, xs);
    resampleInto(y, options.rng, ys);
    let sum = 0;
    let xo = 0;
    let yo = 0;
    for (let t = 0; t < x.length; t++) {
      sum += pairWinRate(xs, xo, x[t].length, ys, yo, y[t].length);
      xo += x[t].length;
      yo += y[t].length;
    }
    estimates[r] = sum / x.length;
  }
  const [lo, hi] = percentileInterval(estimates, options.size);
  return { point, lo, hi };
}

/** Sample mean and standard deviation (n − 1 in the denominator; NaN for a single value). */
export function sampleMeanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) throw new RangeError('mean of no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: Number.NaN };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (values.length - 1)) };
}
