/**
 * The paper's Lipschitz monitoring (§4, §5.1): how steep the learned reward is, and whether the
 * Q-Lipschitz bound Δ∞ = δ/√(1 − γ²C), C = A²·max(1, B²), is informative (γ²C < 1), with A the
 * dynamics' Jacobian norm (estimated by the forward model) and B the policy's.
 *
 * B is estimated here from the learner's deterministic policy alone (the learner is opaque to
 * GAIL): the column-sum proxy ‖∇_s Σ_j μ_j(s)‖ by central finite differences, the same proxy the
 * paper's code takes for A and B.
 */
import type { Learner } from '../../src/learner.js';

/** Finite-difference step for the policy proxy (policies are smooth on this scale). */
const FD_STEP = 1e-3;

/** ‖∇_s Σ_j μ_j(s)‖ for each of `count` learner-side observations (rows of `obs`). */
export function policyJacobianProxy(learner: Learner, obs: Float32Array, count: number): Float64Array {
  const o = learner.obsDim;
  const out = new Float64Array(count);
  const x = new Float32Array(o);
  const sum = (a: Float32Array) => a.reduce((acc, v) => acc + v, 0);
  for (let i = 0; i < count; i++) {
    let sq = 0;
    for (let j = 0; j < o; j++) {
      x.set(obs.subarray(i * o, i * o + o));
      x[j] += FD_STEP;
      const up = sum(learner.act(x, 'deterministic'));
      x[j] -= 2 * FD_STEP;
      const down = sum(learner.act(x, 'deterministic'));
      sq += ((up - down) / (2 * FD_STEP)) ** 2;
    }
    out[i] = Math.sqrt(sq);
  }
  return out;
}

/** γ²·A²·max(1, B²) per sample, and the share of samples where it is below 1. */
export function gamma2C(gamma: number, a: ArrayLike<number>, b: ArrayLike<number>): { values: Float64Array; validShare: number } {
  const n = Math.min(a.length, b.length);
  const values = new Float64Array(n);
  let valid = 0;
  for (let i = 0; i < n; i++) {
    values[i] = gamma * gamma * a[i] * a[i] * Math.max(1, b[i] * b[i]);
    if (values[i] < 1) valid += 1;
  }
  return { values, validShare: n > 0 ? valid / n : NaN };
}

/** Mean, std and max of a list. */
export function summary(xs: ArrayLike<number>): { mean: number; std: number; max: number } {
  const n = xs.length;
  let m = 0;
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    m += xs[i];
    mx = Math.max(mx, xs[i]);
  }
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(v / n), max: mx };
}
