/**
 * A leaky-ReLU MLP whose input gradient is built from ordinary differentiable ops, for gradient
 * penalties and Jacobian-norm estimates.
 *
 * Why not tf.grad inside tf.variableGrads (double backprop): in tfjs 4.22 several ops' second
 * derivatives are wrong or missing (tanh, sigmoid and elu drop the second-derivative term;
 * leakyRelu's gradient uses `greater`, which has no gradient). For a piecewise-linear network the
 * input gradient has a closed form: with z_i the pre-activations and m_i = φ'(z_i) =
 * s + (1 − s)·step(z_i) (piecewise constant, so its own derivative is zero almost everywhere),
 *   ∇_x (yᵀ·c) = W_0·(m_0 ⊙ W_1·(m_1 ⊙ … W_L·c)).
 * Written out like that, the penalty's weight gradient is a first-order gradient of explicit
 * ops, exact wherever no pre-activation is exactly 0, and it costs one backward pass instead of
 * two. Leaky ReLU itself is 0.9·relu(x) + 0.1·x (differentiable, same value as tf.leakyRelu).
 *
 * Spectral normalisation (optional, hidden layers only, as the paper's discriminator) divides each
 * hidden kernel by its σ estimate; the effective kernels are computed once per step by
 * {@link LeakyMlp.kernels} and shared by the forward pass and the input gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { dense, matMulPlainGrad } from './dense.js';
import { initWeights, zeros } from './init.js';
import { SpectralNorm } from './spectral-norm.js';

export interface LeakyMlpSpec {
  inputDim: number;
  hidden: number[];
  outputDim: number;
  /** Negative-side slope of the leaky ReLU (the paper: 0.1). */
  slope: number;
  /** Spectral norm on the hidden layers (never on the output layer). */
  spectralNorm: boolean;
  /** Orthogonal gain of the hidden kernels. */
  hiddenGain: number;
  /** Orthogonal gain of the output kernel. */
  outputGain: number;
}

/** The activation masks of one forward pass, needed for its input gradient. */
export interface Forward {
  out: tf.Tensor2D;
  /** φ'(z_i) of each hidden layer, [batch, width]. */
  slopes: tf.Tensor2D[];
}

export class LeakyMlp {
  readonly spec: LeakyMlpSpec;
  /** dense0/kernel, dense0/bias, dense1/kernel, ...: what the optimizer updates. */
  readonly variables: tf.Variable[];
  readonly variableNames: string[];
  /** One per hidden layer when spectral norm is on, else empty. */
  readonly norms: SpectralNorm[];

  constructor(spec: LeakyMlpSpec, rng: Rng, readonly name: string) {
    for (const [k, v] of [['inputDim', spec.inputDim], ['outputDim', spec.outputDim]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name}: ${k} must be a positive integer, got ${v}`);
    }
    spec.hidden.forEach((h, i) => {
      if (!Number.isSafeInteger(h) || h < 1) throw new RangeError(`${name}: hidden[${i}] must be a positive integer, got ${h}`);
    });
    if (!(spec.slope >= 0 && spec.slope < 1)) throw new RangeError(`${name}: slope must be in [0, 1), got ${spec.slope}`);
    this.spec = { ...spec, hidden: [...spec.hidden] };
    const sizes = [spec.inputDim, ...spec.hidden, spec.outputDim];
    const names: string[] = [];
    const values: { shape: number[]; data: Float32Array }[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const gain = i + 2 === sizes.length ? spec.outputGain : spec.hiddenGain;
      names.push(`dense${i}/kernel`, `dense${i}/bias`);
      values.push({ shape: [sizes[i], sizes[i + 1]], data: initWeights('orthogonal', sizes[i], sizes[i + 1], rng, gain) });
      values.push({ shape: [sizes[i + 1]], data: zeros(sizes[i + 1]) });
    }
    this.variableNames = names;
    this.variables = tf.tidy(() => values.map((v) => tf.variable(tf.tensor(v.data, v.shape, 'float32'), true)));
    this.norms = spec.spectralNorm ? spec.hidden.map((h, i) => new SpectralNorm(sizes[i], h, rng)) : [];
    // σ must be usable before the first training step (rewards are computed from step one).
    this.powerIteration();
  }

  /** The raw kernels, input layer first. */
  get rawKernels(): tf.Variable[] {
    return this.variables.filter((_, i) => i % 2 === 0);
  }

  /** One power iteration of every spectral norm (a training step's first act); no-op without SN. */
  powerIteration(): void {
    this.norms.forEach((n, i) => n.powerIteration(this.rawKernels[i] as unknown as tf.Tensor2D));
  }

  /** The kernels the network computes with (hidden ones divided by σ under SN), differentiable. */
  kernels(): tf.Tensor2D[] {
    return this.rawKernels.map((k, i) => (i < this.norms.length ? this.norms[i].normalize(k as unknown as tf.Tensor2D) : (k as unknown as tf.Tensor2D)));
  }

  /** Output and activation slopes for x [batch, inputDim]; `kernels` from {@link LeakyMlp.kernels}. */
  forward(x: tf.Tensor2D, kernels: tf.Tensor2D[] = this.kernels()): Forward {
    if (x.rank !== 2 || x.shape[1] !== this.spec.inputDim) {
      throw new Error(`${this.name}: input must have shape [batch, ${this.spec.inputDim}], got [${x.shape.join(', ')}]`);
    }
    const s = this.spec.slope;
    const slopes: tf.Tensor2D[] = [];
    let h = x;
    const layers = kernels.length;
    for (let i = 0; i < layers; i++) {
      const z = dense(h, kernels[i], this.variables[2 * i + 1] as unknown as tf.Tensor1D);
      if (i + 1 === layers) return { out: z, slopes };
      // tf.step has a zero gradient: the mask is a constant of the weights almost everywhere.
      slopes.push(tf.add(s, tf.mul(1 - s, tf.step(z))) as tf.Tensor2D);
      h = tf.add(tf.mul(1 - s, tf.relu(z)), tf.mul(s, z));
    }
    throw new Error(`${this.name}: no layers`);
  }

  /**
   * ∇_x Σ_j c_j·y_j(x) for each row, [batch, inputDim], from a {@link forward} pass; `outputWeights`
   * is c, [outputDim] (default all ones: the column-sum Jacobian proxy). Differentiable in the weights.
   */
  inputGradient(fwd: Forward, kernels: tf.Tensor2D[], outputWeights?: tf.Tensor1D): tf.Tensor2D {
    const last = kernels[kernels.length - 1];
    const c = outputWeights ?? tf.ones([this.spec.outputDim]);
    // W_L·c as a row vector, broadcast over the batch.
    let delta = tf.reshape(tf.sum(tf.mul(last, tf.reshape(c, [1, this.spec.outputDim])), 1), [1, last.shape[0]]) as tf.Tensor2D;
    for (let i = fwd.slopes.length - 1; i >= 0; i--) {
      delta = tf.mul(delta, fwd.slopes[i]);
      delta = matMulPlainGrad(delta, tf.transpose(kernels[i]));
    }
    // Without hidden layers the gradient is the same for every row.
    return fwd.slopes.length > 0 ? delta : (tf.tile(delta, [fwd.out.shape[0], 1]) as tf.Tensor2D);
  }

  /**
   * Output only, for inference (rewards): no slopes, and tf.leakyRelu in one op, which is fine
   * here because nothing differentiates through it.
   */
  apply(x: tf.Tensor2D, kernels: tf.Tensor2D[] = this.kernels()): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < kernels.length; i++) {
        h = dense(h, kernels[i], this.variables[2 * i + 1] as unknown as tf.Tensor1D);
        if (i + 1 < kernels.length) h = tf.leakyRelu(h, this.spec.slope);
      }
      return h;
    });
  }

  /** Everything that must be saved to resume: variables, then the SN vectors. */
  stateTensors(): { name: string; variable: tf.Variable }[] {
    const out = this.variables.map((v, i) => ({ name: `${this.name}/${this.variableNames[i]}`, variable: v }));
    this.norms.forEach((n, i) => out.push({ name: `${this.name}/sn${i}/u`, variable: n.u }, { name: `${this.name}/sn${i}/v`, variable: n.v }));
    return out;
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
    this.norms.forEach((n) => n.dispose());
  }
}
