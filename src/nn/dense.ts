/**
 * The dense layer y = x·W + b with a transpose-free gradient.
 *
 * tfjs's stock BatchMatMul gradient multiplies with transpose flags, and the wasm backend only
 * sends flag-free 2-D matmuls to XNNPACK: every backward matmul then takes a slow C++ loop, 12–18×
 * slower (spec/tfjs-backends.md §1.4). Here the backward pass transposes explicitly and multiplies
 * plainly, which is exact (same products, same sums) and makes a SAC update several times faster
 * on wasm.
 *
 * How: the forward matmul runs as our own kernel, `ImitateMatMul`, which is the backend's own
 * BatchMatMul kernel function registered under another name, so the gradient registered for it
 * applies to dense layers only and tfjs's global BatchMatMul gradient stays untouched. Unlike
 * tf.customGrad, whose gradient function must compute every input's gradient up front, a
 * registered gradient is lazy: tfjs computes only the gradients the tape needs, so the actor loss
 * of SAC/TD3 does not pay for the critic's weight gradients (two wasted 256³ matmuls per update).
 * The gradient's own ops are ordinary differentiable ops, so second-order gradients (the GAIL
 * gradient penalty) flow through it.
 */
import * as tf from '@tensorflow/tfjs';

/** Name of the matmul kernel that carries the transpose-free gradient. */
export const DENSE_MATMUL_KERNEL = 'ImitateMatMul';

tf.registerGradient({
  kernelName: DENSE_MATMUL_KERNEL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    return {
      a: () => tf.matMul(g, tf.transpose(w)),
      b: () => tf.matMul(tf.transpose(x), g),
    };
  },
});

const registeredFor = new Set<string>();

/** Registers ImitateMatMul for the active backend (once per backend), as a copy of its BatchMatMul. */
function ensureKernel(): void {
  const backend = tf.getBackend();
  if (registeredFor.has(backend)) return;
  if (tf.getKernel(DENSE_MATMUL_KERNEL, backend) === undefined) {
    const base = tf.getKernel('BatchMatMul', backend);
    if (base === undefined) throw new Error(`dense: backend '${backend}' has no BatchMatMul kernel`);
    // The base kernel's setupFunc already ran when the backend was initialised; its kernelFunc is reused as is.
    tf.registerKernel({ kernelName: DENSE_MATMUL_KERNEL, backendName: backend, kernelFunc: base.kernelFunc });
  }
  registeredFor.add(backend);
}

let useStockGradient = false;

/**
 * Switches every later {@link dense} call to tfjs's stock matmul gradient (`true`) or back to the
 * transpose-free one. For benchmarks and tests that compare the two; training never needs it.
 */
export function setStockDenseGradient(stock: boolean): void {
  useStockGradient = stock;
}

/** Whether {@link dense} currently uses tfjs's stock gradient. */
export function stockDenseGradient(): boolean {
  return useStockGradient;
}

/** x·W for 2-D x [batch, in] and W [in, out], with the transpose-free gradient. */
export function matMulPlainGrad(x: tf.Tensor2D, w: tf.Tensor2D | tf.Variable): tf.Tensor2D {
  if (useStockGradient) return tf.matMul(x, w as tf.Tensor2D);
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(`dense: cannot multiply [${x.shape}] by [${w.shape}]`);
  }
  ensureKernel();
  return tf.engine().runKernel(DENSE_MATMUL_KERNEL, { a: x, b: w }, { transposeA: false, transposeB: false }) as tf.Tensor2D;
}

/** y = x·W + b for x [batch, in], W [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D | tf.Variable, b: tf.Tensor1D | tf.Variable): tf.Tensor2D {
  return tf.add(matMulPlainGrad(x, w), b);
}
