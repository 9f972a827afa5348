/**
 * A portable weight format: `NAME.json` (manifest: format, version, each tensor's name, shape,
 * dtype and byte offset, plus free-form metadata) and `NAME.bin` (the tensors' values as
 * little-endian float32, concatenated). Readable from any language with a JSON parser and a
 * float32 view (numpy: `np.frombuffer(buf, '<f4', count, offset)`).
 *
 * Both files are written to temporary names and renamed, the manifest last: a crash leaves either
 * the previous pair or a manifest-less .bin, never a manifest pointing at half a file.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicAsync } from '../atomic-file.js';

export const WEIGHTS_FORMAT = 'imitate-weights';
export const WEIGHTS_VERSION = 1;

/** One entry of a weights manifest. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Byte offset into NAME.bin. */
  offset: number;
}

/** The manifest NAME.json. */
export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  version: number;
  /** Size of NAME.bin in bytes. */
  byteLength: number;
  tensors: WeightEntry[];
  meta?: Record<string, unknown>;
}

/** A loaded tensor: its shape and values. */
export interface LoadedWeight {
  shape: number[];
  data: Float32Array;
}

/** Loaded tensors by name, plus the manifest's metadata. */
export interface LoadedWeights {
  tensors: Map<string, LoadedWeight>;
  meta: Record<string, unknown>;
  /** The manifest's path, for error messages. */
  file: string;
}

export type NamedTensor = { name: string; tensor: tf.Tensor };

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes `tensors` to dir/NAME.json + dir/NAME.bin (creating `dir`). Variables passed bare are
 * named by their tfjs names, which are only stable within a process: pass `{name, tensor}` pairs
 * for files that another process will read.
 */
export async function saveWeights(
  dir: string,
  name: string,
  tensors: readonly NamedTensor[] | readonly tf.Variable[],
  meta?: Record<string, unknown>,
): Promise<void> {
  const named: NamedTensor[] = tensors.map((t) => (t instanceof tf.Variable ? { name: t.name, tensor: t } : (t as NamedTensor)));
  const seen = new Set<string>();
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const { name: n, tensor } of named) {
    if (seen.has(n)) throw new Error(`saveWeights(${name}): duplicate tensor name '${n}'`);
    seen.add(n);
    if (tensor.dtype !== 'float32') throw new Error(`saveWeights(${name}): tensor '${n}' has dtype ${tensor.dtype}; only float32 is stored`);
    entries.push({ name: n, shape: [...tensor.shape], dtype: 'float32', offset });
    offset += tensor.size * 4;
  }
  const bytes = new Uint8Array(offset);
  const values = await Promise.all(named.map((t) => t.tensor.data() as Promise<Float32Array>));
  values.forEach((v, i) => writeFloats(bytes, entries[i].offset, v));
  const manifest: WeightsManifest = { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, byteLength: offset, tensors: entries };
  if (meta !== undefined) manifest.meta = meta;
  await mkdir(dir, { recursive: true });
  await writeFileAtomicAsync(join(dir, `${name}.bin`), bytes);
  await writeFileAtomicAsync(join(dir, `${name}.json`), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** Reads what {@link saveWeights} wrote, checking the manifest against the binary file. */
export async function loadWeights(dir: string, name: string): Promise<LoadedWeights> {
  const file = join(dir, `${name}.json`);
  const binFile = join(dir, `${name}.bin`);
  const text = await readOrExplain(file, 'weights manifest');
  let manifest: WeightsManifest;
  try {
    manifest = JSON.parse(text.toString('utf8')) as WeightsManifest;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== WEIGHTS_FORMAT) throw new Error(`${file}: field 'format' must be '${WEIGHTS_FORMAT}', got ${JSON.stringify(manifest?.format)}`);
  if (manifest.version !== WEIGHTS_VERSION) throw new Error(`${file}: format version ${JSON.stringify(manifest.version)} is not supported (expected ${WEIGHTS_VERSION})`);
  if (!Array.isArray(manifest.tensors)) throw new Error(`${file}: field 'tensors' must be an array`);
  const bin = await readOrExplain(binFile, 'weights data');
  if (bin.byteLength !== manifest.byteLength) {
    throw new Error(`${binFile}: size ${bin.byteLength} bytes does not match the manifest's byteLength ${manifest.byteLength} (truncated or from another save)`);
  }
  const tensors = new Map<string, LoadedWeight>();
  manifest.tensors.forEach((e, i) => {
    const where = `${file}: tensors[${i}] ('${String(e?.name)}')`;
    if (typeof e?.name !== 'string') throw new Error(`${file}: tensors[${i}].name must be a string`);
    if (tensors.has(e.name)) throw new Error(`${where}: duplicate name`);
    if (e.dtype !== 'float32') throw new Error(`${where}: dtype must be float32, got ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
    }
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset % 4 !== 0 || e.offset + 4 * size > bin.byteLength) {
      throw new Error(`${where}: ${size} floats at byte offset ${e.offset} do not fit in ${binFile} (${bin.byteLength} bytes)`);
    }
    tensors.set(e.name, { shape: [...e.shape], data: readFloats(bin, e.offset, size) });
  });
  return { tensors, meta: manifest.meta ?? {}, file };
}

/** The loaded tensor `name`, checked against `shape`; errors name the file, tensor and shapes. */
export function takeWeight(loaded: LoadedWeights, name: string, shape: readonly number[]): Float32Array {
  const w = loaded.tensors.get(name);
  if (w === undefined) throw new Error(`${loaded.file}: tensor '${name}' is missing`);
  if (!tf.util.arraysEqual(w.shape, [...shape])) {
    throw new Error(`${loaded.file}: tensor '${name}' has shape [${w.shape}], expected [${shape}]`);
  }
  return w.data;
}

/** Assigns loaded tensors into variables by name, checking every shape before assigning any. */
export function assignWeights(loaded: LoadedWeights, targets: readonly { name: string; variable: tf.Variable }[]): void {
  const values = targets.map(({ name, variable }) => takeWeight(loaded, name, variable.shape));
  tf.tidy(() => targets.forEach(({ variable }, i) => variable.assign(tf.tensor(values[i], variable.shape, 'float32'))));
}

/** `{name: prefix/variableName, tensor}` pairs for variables named in parallel (e.g. an Mlp's). */
export function prefixed(prefix: string, names: readonly string[], variables: readonly tf.Variable[]): { name: string; variable: tf.Variable }[] {
  return variables.map((variable, i) => ({ name: `${prefix}/${names[i]}`, variable }));
}

async function readOrExplain(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what} file not found: ${path}`);
    throw e;
  }
}

function writeFloats(bytes: Uint8Array, offset: number, values: Float32Array): void {
  if (littleEndian) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < values.length; i++) view.setFloat32(offset + 4 * i, values[i], true);
}

function readFloats(bin: Buffer, offset: number, size: number): Float32Array {
  const out = new Float32Array(size);
  if (littleEndian) {
    new Uint8Array(out.buffer).set(bin.subarray(offset, offset + 4 * size));
    return out;
  }
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  for (let i = 0; i < size; i++) out[i] = view.getFloat32(offset + 4 * i, true);
  return out;
}
