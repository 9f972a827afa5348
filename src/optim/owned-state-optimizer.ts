/**
 * What imitate's optimizers (Adam, SOAP, FISMO/Muon) share as TensorFlow.js optimizers: their
 * options are their config, their step count goes into checkpoints as an exact float32 pair in a
 * tensor they own, and disposing them frees their slots.
 */
import * as tf from '@tensorflow/tfjs';
import { splitCount } from './counter.js';

export abstract class OwnedStateOptimizer<O extends object> extends tf.Optimizer {
  readonly options: O;
  /** Holds the step count for getWeights, so that the tensors it returns are all owned here. */
  private stepTensor: tf.Variable | null = null;

  constructor(options: O) {
    super();
    this.options = { ...options };
  }

  /** Frees the optimizer's per-variable state. */
  protected abstract disposeSlots(): void;

  /** `count` as (⌊n / 2^24⌋, n mod 2^24) in the optimizer's own float32 [2] variable. */
  protected stepCountTensor(count: number): tf.Variable {
    const value = tf.tensor1d(splitCount(count), 'float32');
    if (this.stepTensor === null) this.stepTensor = tf.variable(value, false);
    else this.stepTensor.assign(value);
    value.dispose();
    return this.stepTensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.options } as tf.serialization.ConfigDict;
  }

  override dispose(): void {
    this.disposeSlots();
    this.stepTensor?.dispose();
    this.stepTensor = null;
    super.dispose();
  }
}
