/**
 * Chooses the TensorFlow.js backend, once per process. This is the only file that imports a
 * backend package.
 *
 * Order, unless `IMITATE_BACKEND` names one: `@tensorflow/tfjs-node-gpu` (CUDA, when installed),
 * `@tensorflow/tfjs-node` (when installed), `@tensorflow/tfjs-backend-wasm` (the default: it
 * installs from the npm registry alone and runs with SIMD), `cpu` (pure JavaScript, last
 * resort). The native packages download libtensorflow at install time, so they are optional.
 * On wasm, matmuls go to the optional native BLAS addon when it was built (src/native-blas.ts;
 * `IMITATE_NATIVE_BLAS=0` turns it off).
 */
import * as tf from '@tensorflow/tfjs';
import { enableNativeBlas, type NativeBlasInfo } from './native-blas.js';
import { installWasmKernels } from './wasm-kernels.js';

/** The backends `imitate` knows, by the name `IMITATE_BACKEND` accepts. */
export const BACKENDS = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** What was chosen and what it runs with; printed by `imitate info`. */
export interface BackendInfo {
  /** Our name for the backend. */
  choice: BackendChoice;
  /** tfjs's own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why this one: `IMITATE_BACKEND`, or the automatic order. */
  reason: string;
  versions: Record<string, string>;
  /** wasm only: whether the SIMD build is used. */
  simd?: boolean;
  /** wasm only: threads used by XNNPACK (1 in Node, see spec/tfjs-backends.md). */
  threads?: number;
  /** wasm only: whether matmuls go to the native BLAS addon (src/native-blas.ts), and why. */
  nativeBlas?: NativeBlasInfo;
  /** Backends tried before this one, with why each was skipped. */
  skipped: { choice: BackendChoice; why: string }[];
}

const PACKAGES: Record<'node-gpu' | 'node', string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

let chosen: Promise<BackendInfo> | null = null;

/**
 * Initialises the backend (idempotent: later calls return the first result). Throws when
 * `IMITATE_BACKEND` names an unknown or unavailable backend, rather than silently running on
 * another one.
 */
export function initBackend(): Promise<BackendInfo> {
  chosen ??= chooseBackend(process.env.IMITATE_BACKEND);
  return chosen;
}

/**
 * Activates a backend by the rule above, `requested` playing the part of `IMITATE_BACKEND`
 * (undefined, '' or 'auto' for the automatic order). Uncached: {@link initBackend} is what
 * programs call.
 */
export async function chooseBackend(requested: string | undefined): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];
  if (requested !== undefined && requested !== '' && requested !== 'auto') {
    const choice = normalise(requested);
    const err = await tryBackend(choice);
    if (err !== null) throw new Error(`IMITATE_BACKEND=${requested}: backend '${choice}' is not available: ${err}`);
    return describe(choice, `IMITATE_BACKEND=${requested}`, skipped);
  }
  for (const choice of BACKENDS) {
    const err = await tryBackend(choice);
    if (err === null) return describe(choice, 'automatic order: node-gpu, node, wasm, cpu', skipped);
    skipped.push({ choice, why: err });
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${skipped.map((s) => `${s.choice}: ${s.why}`).join('; ')}`);
}

function normalise(name: string): BackendChoice {
  const aliases: Record<string, BackendChoice> = { 'tensorflow-gpu': 'node-gpu', gpu: 'node-gpu', tensorflow: 'node', native: 'node' };
  const n = aliases[name] ?? name;
  if (!(BACKENDS as readonly string[]).includes(n)) {
    throw new Error(`IMITATE_BACKEND=${name} is not a backend; use one of ${BACKENDS.join(', ')} (or auto)`);
  }
  return n as BackendChoice;
}

/** Activates `choice`; returns null on success or why it failed. */
async function tryBackend(choice: BackendChoice): Promise<string | null> {
  try {
    if (choice === 'node-gpu' || choice === 'node') {
      const pkg = PACKAGES[choice];
      try {
        await import(pkg);
      } catch (e) {
        const { code, message } = e as { code?: string; message: string };
        const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || message.includes(`Cannot find package '${pkg}'`);
        return missing ? `${pkg} is not installed` : `${pkg} failed to load: ${message}`;
      }
      return (await tf.setBackend('tensorflow')) ? null : `${pkg} loaded but the 'tensorflow' backend did not initialise`;
    }
    if (choice === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend(choice);
    if (!ok) return `tf.setBackend('${choice}') failed`;
    await tf.ready();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

async function describe(choice: BackendChoice, reason: string, skipped: BackendInfo['skipped']): Promise<BackendInfo> {
  const info: BackendInfo = {
    choice,
    tfBackend: tf.getBackend(),
    reason,
    versions: { node: process.versions.node, 'tfjs-core': tf.version_core, tfjs: tf.version.tfjs ?? tf.version_core },
    skipped,
  };
  if (choice === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    info.versions['tfjs-backend-wasm'] = wasm.version_wasm;
    info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.threads = wasm.getThreadsCount();
    installWasmKernels();
    info.nativeBlas = enableNativeBlas();
  }
  if (choice === 'node' || choice === 'node-gpu') {
    const mod = (await import(PACKAGES[choice])) as { version?: Record<string, string> };
    if (mod.version !== undefined) Object.assign(info.versions, mod.version);
  }
  return info;
}
