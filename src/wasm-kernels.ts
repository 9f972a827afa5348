/**
 * Kernel overrides for the wasm backend that do not need the native addon.
 *
 * Identity: tfjs clones every tensor a gradient will need while it records the tape (one Identity
 * kernel per saved input and output: ~120 per SAC update), and the wasm backend's Identity copies
 * the data. Tensor data is immutable in tfjs (variables change by swapping their data, never by
 * writing into it), so the clone can share the data with a reference count, as the wasm Reshape
 * kernel and the cpu backend's Identity already do.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

let installed = false;

/** Installs the overrides on the wasm backend (which must be registered). Idempotent. */
export function installWasmKernels(): void {
  if (installed) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (original === undefined) throw new Error('wasm backend has no Identity kernel to replace');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend } = args as unknown as { inputs: { x: tf.TensorInfo }; backend: RefCountingBackend };
    const { x } = inputs;
    if (x.dtype === 'string') return original.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc });
  installed = true;
}
