/**
 * The online forward dynamics model f̂(s, a) → s' of PURPLE and of the C-validity monitoring
 * (paper §3): MLP 100-100 LeakyReLU(0.1), no spectral norm, trained by one optimizer step of MSE
 * per call. Its Jacobian-norm estimate is the paper's cheap proxy ‖∇_{(s,a)} Σ_j f̂_j(s, a)‖ (a
 * vector-Jacobian product with a ones vector), not the spectral or Frobenius norm.
 */
import * as tf from '@tensorflow/tfjs';
import { LeakyMlp } from '../../src/nn/leaky-mlp.js';
import { createOptimizer } from '../../src/optim/registry.js';
import type { Rng } from '../../src/rng.js';
import { inOrder } from '../learner-state.js';
import { gradientNorms } from './penalty.js';

export interface ForwardModelOptions {
  hidden: number[];
  /** Optimizer name and options from the registry. */
  optimizer: { name: string } & Record<string, unknown>;
}

export class ForwardModel {
  readonly net: LeakyMlp;
  readonly optimizer: tf.Optimizer;

  /** `inputDim` = |(s, a)|, `outputDim` = |s'| (flags included with absorbing states). */
  constructor(inputDim: number, outputDim: number, options: ForwardModelOptions, rng: Rng) {
    this.net = new LeakyMlp({ inputDim, hidden: options.hidden, outputDim, slope: 0.1, spectralNorm: false, hiddenGain: Math.SQRT2 / Math.sqrt(1.01), outputGain: 0.01 }, rng, 'forward-model');
    const { name, ...rest } = options.optimizer;
    this.optimizer = createOptimizer(name, rest);
  }

  /** One MSE step towards `next` [n, outputDim]; returns the loss before the step (a tensor). */
  train(x: tf.Tensor2D, next: tf.Tensor2D): tf.Scalar {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(this.net.forward(x).out, next))) as tf.Scalar, this.net.variables);
    this.optimizer.applyGradients(inOrder(this.net.variables, grads));
    tf.dispose(Object.values(grads));
    return value;
  }

  /** The Jacobian-norm proxy per row of x [n, inputDim]. */
  jacobianProxy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const kernels = this.net.kernels();
      return gradientNorms(this.net.inputGradient(this.net.forward(x, kernels), kernels));
    });
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
  }
}
