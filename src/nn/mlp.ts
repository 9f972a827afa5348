/**
 * A multi-layer perceptron: dense → [LayerNorm] → activation for each hidden layer, then a linear
 * output layer. Weights come from an {@link Rng} (deterministic on every backend); the dense layers
 * use the transpose-free gradient of {@link dense}.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeForward } from '../native-blas.js';
import type { Rng } from '../rng.js';
import { dense } from './dense.js';
import { initWeights, zeros } from './init.js';
import { layerNorm } from './layer-norm.js';

export type Activation = 'relu' | 'leaky-relu' | 'tanh';

export interface MlpSpec {
  inputDim: number;
  hidden: number[];
  outputDim: number;
  activation: Activation;
  /** LayerNorm after each hidden dense, before the activation. Default false. */
  layerNorm?: boolean;
  /** Default 'orthogonal'. */
  init?: 'orthogonal' | 'glorot';
  /** Gain of the hidden layers' weights; default √2 for (leaky) ReLU, 5/3 for tanh (torch's calculate_gain). */
  hiddenGain?: number;
  /** Gain of the output layer's weights; default 1. */
  outputGain?: number;
}

/** The slope of 'leaky-relu' for negative inputs. */
export const LEAKY_SLOPE = 0.1;

/**
 * The activation by name. Leaky ReLU is (1 − s)·relu(x) + s·x: same value and first derivative as
 * tf.leakyRelu, but differentiable twice (tf.leakyRelu's gradient uses `greater`, which has no
 * gradient; spec/tfjs-backends.md, "Second-order gradients").
 */
export function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'leaky-relu':
      return tf.add(tf.mul(1 - LEAKY_SLOPE, tf.relu(x)), tf.mul(LEAKY_SLOPE, x));
    default:
      throw new Error(`unknown activation '${String(activation)}'`);
  }
}

/** Checks a spec, naming the bad field; returns it with defaults filled in. */
export function resolveMlpSpec(spec: MlpSpec): Required<MlpSpec> {
  const posInt = (v: unknown, field: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new TypeError(`MlpSpec.${field} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  };
  posInt(spec.inputDim, 'inputDim');
  posInt(spec.outputDim, 'outputDim');
  if (!Array.isArray(spec.hidden)) throw new TypeError(`MlpSpec.hidden must be an array of layer sizes, got ${JSON.stringify(spec.hidden)}`);
  spec.hidden.forEach((h, i) => posInt(h, `hidden[${i}]`));
  if (!['relu', 'leaky-relu', 'tanh'].includes(spec.activation)) {
    throw new TypeError(`MlpSpec.activation must be relu, leaky-relu or tanh, got ${JSON.stringify(spec.activation)}`);
  }
  const init = spec.init ?? 'orthogonal';
  if (init !== 'orthogonal' && init !== 'glorot') throw new TypeError(`MlpSpec.init must be orthogonal or glorot, got ${JSON.stringify(init)}`);
  const hiddenGain = spec.hiddenGain ?? (spec.activation === 'tanh' ? 5 / 3 : Math.SQRT2);
  const outputGain = spec.outputGain ?? 1;
  for (const [k, v] of [['hiddenGain', hiddenGain], ['outputGain', outputGain]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new TypeError(`MlpSpec.${k} must be a positive number, got ${JSON.stringify(v)}`);
  }
  return {
    inputDim: spec.inputDim,
    hidden: [...spec.hidden],
    outputDim: spec.outputDim,
    activation: spec.activation,
    layerNorm: spec.layerNorm ?? false,
    init,
    hiddenGain,
    outputGain,
  };
}

interface Parameter {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** The parameters of `spec` in {@link Mlp.variables} order, freshly initialised from `rng`. */
function initialParameters(spec: Required<MlpSpec>, rng: Rng): Parameter[] {
  const kernels = spec.hidden.length + 1;
  return mlpLayout(spec).map(({ name, shape }, i) => {
    if (name.endsWith('/kernel')) {
      const gain = i === 2 * (kernels - 1) ? spec.outputGain : spec.hiddenGain;
      return { name, shape, values: initWeights(spec.init, shape[0], shape[1], rng, gain) };
    }
    return { name, shape, values: name.endsWith('/gain') ? new Float32Array(shape[0]).fill(1) : zeros(shape[0]) };
  });
}

export class Mlp {
  readonly spec: MlpSpec;
  /**
   * Trainable variables in a fixed order: dense0/kernel, dense0/bias, dense1/kernel, ..., then
   * (with layerNorm) norm0/gain, norm0/bias, ... {@link Mlp.variableNames} names them.
   */
  readonly variables: tf.Variable[];
  /** Names of {@link Mlp.variables} (stable, used in weight files), e.g. 'dense0/kernel'. */
  readonly variableNames: string[];
  /** The network's name (prefix of its tensors in checkpoints). */
  readonly name: string;
  private readonly resolved: Required<MlpSpec>;
  private disposed = false;

  /**
   * @param spec layer sizes and options
   * @param rng draws the initial weights (consumed in {@link Mlp.variables} order)
   * @param name the network's name; tfjs variable names are left unique by tfjs
   * @param initial values to start from instead of drawing from `rng` (copied; {@link Mlp.variables} order)
   */
  constructor(spec: MlpSpec, rng: Rng | null, name: string, initial?: readonly tf.Tensor[]) {
    this.resolved = resolveMlpSpec(spec);
    this.spec = this.resolved;
    this.name = name;
    if (initial !== undefined) {
      const layout = mlpLayout(this.resolved);
      if (initial.length !== layout.length) throw new Error(`${name}: ${initial.length} initial tensors, expected ${layout.length}`);
      initial.forEach((t, i) => {
        if (!tf.util.arraysEqual(t.shape, layout[i].shape)) {
          throw new Error(`${name}: ${layout[i].name} has shape [${t.shape}], expected [${layout[i].shape}]`);
        }
      });
      this.variableNames = layout.map((l) => l.name);
      // tf.variable keeps its initial tensor's handle alive; tidy frees the handles, the data stays.
      this.variables = tf.tidy(() => initial.map((t) => tf.variable(t.clone(), true)));
    } else {
      if (rng === null) throw new TypeError('Mlp needs an Rng for its initial weights');
      const params = initialParameters(this.resolved, rng);
      this.variableNames = params.map((p) => p.name);
      this.variables = tf.tidy(() => params.map((p) => tf.variable(tf.tensor(p.values, p.shape, 'float32'), true)));
    }
  }

  /** The dense kernels (matrices [in, out]), input layer first: what spectral norm and matrix optimizers act on. */
  get kernels(): tf.Variable[] {
    return this.variables.filter((_, i) => this.variableNames[i].endsWith('/kernel'));
  }

  /** Total number of scalar parameters. */
  get numParameters(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /** The network's output for x [batch, inputDim]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    this.assertAlive();
    const spec = this.resolved;
    if (x.rank !== 2 || x.shape[1] !== spec.inputDim) {
      throw new Error(`${this.name}: input must have shape [batch, ${spec.inputDim}], got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const layers = spec.hidden.length + 1;
      const normBase = 2 * layers;
      let h = x;
      for (let i = 0; i < layers; i++) {
        const hidden = i + 1 < layers;
        // ReLU right after the product fuses into the dense kernel on the native path.
        if (hidden && spec.activation === 'relu' && !spec.layerNorm) {
          h = dense(h, this.variables[2 * i], this.variables[2 * i + 1], true);
          continue;
        }
        h = dense(h, this.variables[2 * i], this.variables[2 * i + 1]);
        if (hidden) {
          if (spec.layerNorm) h = layerNorm(h, this.variables[normBase + 2 * i], this.variables[normBase + 2 * i + 1]);
          h = activate(h, spec.activation);
        }
      }
      return h;
    });
  }

  /**
   * The output for one input vector, as a plain array: the acting path. On the native BLAS path
   * it runs straight from the weights in the wasm heap (no tensor, no kernel, no sync); elsewhere
   * it is {@link apply} plus one read. The two agree to float32 rounding, not bit for bit (the
   * summation order differs), so everything that must reproduce an action calls this same method.
   */
  forwardOne(input: Float32Array): Float32Array {
    this.assertAlive();
    const spec = this.resolved;
    if (input.length !== spec.inputDim) throw new Error(`${this.name}: input must have ${spec.inputDim} values, got ${input.length}`);
    if (!spec.layerNorm && spec.activation === 'relu') {
      const layers = 2 * (spec.hidden.length + 1);
      const out = nativeForward(this.variables.slice(0, layers), true, input);
      if (out !== null) return out;
    }
    const t = tf.tidy(() => this.apply(tf.tensor2d(input, [1, spec.inputDim])));
    const values = Float32Array.from(t.dataSync() as Float32Array);
    t.dispose();
    return values;
  }

  /** A new network with the same spec and a copy of the current values (new variables). */
  clone(name: string): Mlp {
    this.assertAlive();
    return new Mlp(this.spec, null, name, this.variables);
  }

  /** Copies `other`'s values into this network's variables (same spec required). */
  copyFrom(other: Mlp): void {
    this.assertAlive();
    if (other.variables.length !== this.variables.length) {
      throw new Error(`${this.name}.copyFrom(${other.name}): ${other.variables.length} variables, expected ${this.variables.length}`);
    }
    tf.tidy(() => {
      this.variables.forEach((v, i) => {
        const src = other.variables[i];
        if (!tf.util.arraysEqual(v.shape, src.shape)) {
          throw new Error(`${this.name}.copyFrom(${other.name}): ${this.variableNames[i]} has shape [${src.shape}], expected [${v.shape}]`);
        }
        v.assign(src);
      });
    });
  }

  /** Frees the variables. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables) v.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error(`${this.name}: network was disposed`);
  }
}

/** Name and shape of each of an Mlp's variables, in {@link Mlp.variables} order. */
export function mlpLayout(spec: MlpSpec): { name: string; shape: number[] }[] {
  const r = resolveMlpSpec(spec);
  const sizes = [r.inputDim, ...r.hidden, r.outputDim];
  const layout: { name: string; shape: number[] }[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layout.push({ name: `dense${i}/kernel`, shape: [sizes[i], sizes[i + 1]] }, { name: `dense${i}/bias`, shape: [sizes[i + 1]] });
  }
  if (r.layerNorm) r.hidden.forEach((h, i) => layout.push({ name: `norm${i}/gain`, shape: [h] }, { name: `norm${i}/bias`, shape: [h] }));
  return layout;
}
