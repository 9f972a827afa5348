/**
 * How the matrix optimizers see a parameter: as a batch of 2-D blocks. A scalar is one 1×1 block,
 * a vector of length d one d×1 block, a matrix [r, c] one block, and a tensor of rank ≥ 3
 * [..., r, c] a batch of independent r×c matrices over its leading dimensions (e.g. twin critics
 * stacked as [2, in, out]).
 */
import * as tf from '@tensorflow/tfjs';

/** A parameter's layout as `count` blocks of `rows × cols`. */
export interface BlockLayout {
  count: number;
  rows: number;
  cols: number;
}

/** The block layout of a parameter of `shape`. */
export function blockLayout(shape: readonly number[]): BlockLayout {
  if (shape.length === 0) return { count: 1, rows: 1, cols: 1 };
  if (shape.length === 1) return { count: 1, rows: shape[0], cols: 1 };
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const count = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { count, rows, cols };
}

/** `x` split into its blocks (views for count 1; call inside tf.tidy). */
export function toBlocks(x: tf.Tensor, layout: BlockLayout): tf.Tensor2D[] {
  if (layout.count === 1) return [tf.reshape(x, [layout.rows, layout.cols])];
  return tf.unstack(tf.reshape(x, [layout.count, layout.rows, layout.cols])) as tf.Tensor2D[];
}

/** The inverse of {@link toBlocks}: blocks put back into a tensor of `shape`. */
export function fromBlocks(blocks: tf.Tensor2D[], shape: readonly number[]): tf.Tensor {
  if (blocks.length === 1) return tf.reshape(blocks[0], shape as number[]);
  return tf.reshape(tf.stack(blocks), shape as number[]);
}
