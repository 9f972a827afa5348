/** Polyak (soft) target updates. */
import * as tf from '@tensorflow/tfjs';
import { nativeBlasActive, POLYAK_KERNEL } from '../native-blas.js';

/**
 * target ← (1 − τ)·target + τ·source, variable by variable, inside one tidy and without reading
 * anything back from the backend. τ = 1 copies.
 */
export function polyak(target: readonly tf.Variable[], source: readonly tf.Variable[], tau: number): void {
  if (target.length !== source.length) throw new Error(`polyak: ${target.length} target variables but ${source.length} source variables`);
  if (!(tau >= 0 && tau <= 1)) throw new RangeError(`polyak: tau must be in [0, 1], got ${tau}`);
  tf.tidy(() => {
    if (tau === 1) {
      target.forEach((t, i) => t.assign(source[i]));
      return;
    }
    target.forEach((t, i) => {
      if (!tf.util.arraysEqual(t.shape, source[i].shape)) {
        throw new Error(`polyak: variable ${i} has shape [${t.shape}] in the target but [${source[i].shape}] in the source`);
      }
    });
    if (nativeBlasActive() && target.length > 0) {
      // One kernel for every pair on the native path, bit-identical to the ops below.
      const inputs: tf.NamedTensorMap = {};
      target.forEach((t, i) => Object.assign(inputs, { [`t${i}`]: t, [`s${i}`]: source[i] }));
      const outs = tf.engine().runKernel(POLYAK_KERNEL, inputs, { count: target.length, keep: 1 - tau, mix: tau }) as tf.Tensor[];
      target.forEach((t, i) => t.assign(outs[i]));
      return;
    }
    const keep = tf.scalar(1 - tau);
    const mix = tf.scalar(tau);
    target.forEach((t, i) => t.assign(tf.add(tf.mul(keep, t), tf.mul(mix, source[i]))));
  });
}
