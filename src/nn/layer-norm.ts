/**
 * Layer normalisation over the feature axis (Ba et al. 2016), as torch.nn.LayerNorm with a
 * learnable gain and bias. Built from plain differentiable ops (mean, square, rsqrt), so its
 * gradient, and the gradient of that gradient, come from tfjs's autodiff.
 */
import * as tf from '@tensorflow/tfjs';

/** torch.nn.LayerNorm's default. */
export const LAYER_NORM_EPSILON = 1e-5;

/** (x − mean) / √(var + ε) · gain + bias over the last axis of x [batch, features]. */
export function layerNorm(
  x: tf.Tensor2D,
  gain: tf.Tensor1D | tf.Variable,
  bias: tf.Tensor1D | tf.Variable,
  epsilon = LAYER_NORM_EPSILON,
): tf.Tensor2D {
  return tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(centred), -1, true);
    const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normed, gain), bias) as tf.Tensor2D;
  });
}
