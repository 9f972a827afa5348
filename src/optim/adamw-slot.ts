/**
 * The AdamW that Muon and FISMO hand their non-matrix parameters to (biases, scalars), in the
 * PyTorch form of Muon's auxiliary AdamW (spec §B1): t starts at 1 on the first call, ε is added
 * after bias correction, and decoupled weight decay comes before the step:
 *   W ← W·(1 − lr·λ);  W ← W − lr·m̂ / (√v̂ + ε).
 */
import * as tf from '@tensorflow/tfjs';
import { stateVariable } from './gradients.js';

export interface AdamWOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** One parameter's AdamW moments. */
export interface AdamWSlot {
  m: tf.Variable;
  v: tf.Variable;
}

export function newAdamWSlot(shape: readonly number[]): AdamWSlot {
  return { m: stateVariable(tf.zeros(shape as number[])), v: stateVariable(tf.zeros(shape as number[])) };
}

/** Update number `t` (from 1) of `variable` with `gradient`. */
export function adamWStep(slot: AdamWSlot, variable: tf.Variable, gradient: tf.Tensor, t: number, o: AdamWOptions): void {
  const c1 = 1 - o.beta1 ** t;
  const c2 = 1 - o.beta2 ** t;
  tf.tidy(() => {
    const m = tf.add(tf.mul(o.beta1, slot.m), tf.mul(1 - o.beta1, gradient));
    const v = tf.add(tf.mul(o.beta2, slot.v), tf.mul(1 - o.beta2, tf.square(gradient)));
    slot.m.assign(m);
    slot.v.assign(v);
    const decayed = o.weightDecay > 0 ? tf.mul(variable, 1 - o.lr * o.weightDecay) : variable;
    const step = tf.div(tf.div(m, c1), tf.add(tf.div(tf.sqrt(v), Math.sqrt(c2)), o.epsilon));
    variable.assign(tf.sub(decayed, tf.mul(o.lr, step)));
  });
}
