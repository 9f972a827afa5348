/**
 * Spectral normalisation (Miyato et al. 2018) of a dense kernel W [in, out], as PyTorch's
 * `torch.nn.utils.spectral_norm` does it: one power iteration per training step estimates the
 * leading singular vectors (u over outputs, v over inputs), which are kept between steps and carry
 * no gradient; the layer then uses W / σ with σ = vᵀ·W·u, differentiable in W.
 *
 * Why the vectors are persistent: one power iteration per step is enough only because u and v
 * start from the previous step's estimate, and W changes little per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';

/** Added to norms before dividing (PyTorch's eps). */
const EPS = 1e-12;

export class SpectralNorm {
  /** Left singular vector estimate over the kernel's outputs, [out]. */
  readonly u: tf.Variable;
  /** Right singular vector estimate over the kernel's inputs, [in]. */
  readonly v: tf.Variable;

  /**
   * @param inDim rows of the kernel
   * @param outDim columns of the kernel
   * @param rng draws the initial u (standard normal, normalised, as PyTorch)
   */
  constructor(readonly inDim: number, readonly outDim: number, rng: Rng) {
    const u0 = new Float32Array(outDim);
    for (let i = 0; i < outDim; i++) u0[i] = rng.normal();
    this.u = tf.tidy(() => tf.variable(normalize(tf.tensor1d(u0)), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([inDim]), false));
  }

  /** One power iteration on `kernel`'s current value: v ← W·u / ‖·‖, u ← Wᵀ·v / ‖·‖ (no gradient). */
  powerIteration(kernel: tf.Tensor2D): void {
    tf.tidy(() => {
      const w = kernel;
      const v = normalize(tf.squeeze(tf.matMul(w, tf.reshape(this.u, [this.outDim, 1]))));
      const u = normalize(tf.squeeze(tf.matMul(tf.reshape(v, [1, this.inDim]), w)));
      this.v.assign(v as tf.Tensor1D);
      this.u.assign(u as tf.Tensor1D);
    });
  }

  /** σ = vᵀ·W·u, differentiable in `kernel` (u and v are constants). */
  sigma(kernel: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.sum(tf.mul(tf.reshape(this.v, [this.inDim, 1]), tf.mul(kernel, tf.reshape(this.u, [1, this.outDim])))) as tf.Scalar);
  }

  /** W / σ(W). */
  normalize(kernel: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.div(kernel, this.sigma(kernel)));
  }

  dispose(): void {
    this.u.dispose();
    this.v.dispose();
  }
}

function normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.add(tf.norm(x), EPS));
}
