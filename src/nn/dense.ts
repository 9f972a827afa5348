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
 *
 * Where the native BLAS kernel serves the wasm backend (src/native-blas.ts), transposes are free
 * and the gradient uses transpose flags instead.
 */
import * as tf from '@tensorflow/tfjs';
import { DENSE_KERNEL, nativeBlasActive } from '../native-blas.js';

/** Name of the matmul kernel that carries the transpose-free gradient. */
export const DENSE_MATMUL_KERNEL = 'ImitateMatMul';

tf.registerGradient({
  kernelName: DENSE_MATMUL_KERNEL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    // With the native BLAS kernel transpose flags cost nothing, so the explicit transposes (two
    // extra kernels and copies) are skipped; the products and their sums are the same.
    if (nativeBlasActive()) {
      return {
        a: () => tf.matMul(g, w, false, true),
        b: () => tf.matMul(x, g, true, false),
      };
    }
    return {
      a: () => tf.matMul(g, tf.transpose(w)),
      b: () => tf.matMul(tf.transpose(x), g),
    };
  },
});

/**
 * Name of the bias addition whose gradient sums over the batch with a product by a row of ones:
 * the stock gradient (a Sum over axis 0) makes the wasm backend transpose the whole [batch, out]
 * gradient first, which cost 30 % of a SAC update; the product is one small matmul.
 */
export const DENSE_BIAS_KERNEL = 'ImitateBiasAdd';

tf.registerGradient({
  kernelName: DENSE_BIAS_KERNEL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x, bias] = saved;
    const g = dy as tf.Tensor2D;
    return {
      a: () => tf.reshape(g, x.shape),
      b: () => tf.reshape(tf.matMul(tf.ones([1, g.shape[0]]), g), bias.shape),
    };
  },
});

/** Gradient of the native path's fused layer y = relu?(x·W + b) (src/native-blas.ts). */
tf.registerGradient({
  kernelName: DENSE_KERNEL,
  inputsToSave: ['x', 'w'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    // relu'(z) = step(z) = step(y), since y > 0 exactly where z > 0.
    const g = (attrs as unknown as { relu: boolean }).relu ? tf.mul(dy as tf.Tensor2D, tf.step(y)) : (dy as tf.Tensor2D);
    return {
      x: () => tf.matMul(g, w, false, true),
      w: () => tf.matMul(x, g, true, false),
      b: () => tf.reshape(tf.matMul(tf.ones([1, g.shape[0]]), g), [w.shape[1]]),
    };
  },
});

const registeredFor = new Set<string>();

/** Registers our kernels for the active backend (once per backend), as copies of its BatchMatMul and Add. */
function ensureKernel(): void {
  const backend = tf.getBackend();
  if (registeredFor.has(backend)) return;
  for (const [ours, base] of [[DENSE_MATMUL_KERNEL, 'BatchMatMul'], [DENSE_BIAS_KERNEL, 'Add']]) {
    if (tf.getKernel(ours, backend) !== undefined) continue;
    const kernel = tf.getKernel(base, backend);
    if (kernel === undefined) throw new Error(`dense: backend '${backend}' has no ${base} kernel`);
    // The base kernel's setupFunc already ran when the backend was initialised; its kernelFunc is reused as is.
    tf.registerKernel({ kernelName: ours, backendName: backend, kernelFunc: kernel.kernelFunc });
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

/**
 * y = x·W + b for x [batch, in], W [in, out], b [out], followed by ReLU when `relu` is true. On the
 * native BLAS path this is one kernel (product, bias and ReLU in one pass), bit-identical to the
 * three separate ones.
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D | tf.Variable, b: tf.Tensor1D | tf.Variable, relu = false): tf.Tensor2D {
  if (!useStockGradient && nativeBlasActive() && x.rank === 2 && w.rank === 2 && b.rank === 1 && x.shape[1] === w.shape[0] && b.shape[0] === w.shape[1]) {
    return tf.engine().runKernel(DENSE_KERNEL, { x, w, b }, { relu }) as tf.Tensor2D;
  }
  const y = denseLinear(x, w, b);
  return relu ? tf.relu(y) : y;
}

function denseLinear(x: tf.Tensor2D, w: tf.Tensor2D | tf.Variable, b: tf.Tensor1D | tf.Variable): tf.Tensor2D {
  const xw = matMulPlainGrad(x, w);
  if (useStockGradient) return tf.add(xw, b);
  if (b.rank !== 1 || b.shape[0] !== xw.shape[1]) throw new Error(`dense: bias of shape [${b.shape}] does not fit an output of shape [${xw.shape}]`);
  return tf.engine().runKernel(DENSE_BIAS_KERNEL, { a: xw, b }) as tf.Tensor2D;
}
