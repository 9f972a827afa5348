/**
 * What every optimizer here does first with tf.Optimizer.applyGradients' argument: a list of
 * (variable name, gradient) in the caller's order (state is positional, see Adam), and the
 * registered variable behind each name.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from './adam.js';

/** The gradients as [name, gradient or null] in the caller's order. */
export function gradientEntries(variableGradients: tf.NamedTensorMap | NamedTensor[]): [string, tf.Tensor | null][] {
  return Array.isArray(variableGradients)
    ? variableGradients.map((g) => [g.name, g.tensor])
    : Object.keys(variableGradients).map((name) => [name, variableGradients[name]]);
}

/** The registered variable `name`; `who` (the optimizer) is named in the error. */
export function registeredVariable(name: string, who: string): tf.Variable {
  const variable = tf.engine().registeredVariables[name];
  if (variable === undefined) throw new Error(`${who}: no variable named '${name}' is registered`);
  return variable;
}

/** A state variable (not trainable) that takes over `x`'s data; `x` itself is disposed. */
export function stateVariable(x: tf.Tensor): tf.Variable {
  const v = tf.variable(x, false);
  x.dispose();
  return v;
}
