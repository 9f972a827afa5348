/**
 * The HDF5 access of the demonstration layouts, through h5wasm (HDF5 compiled to WebAssembly, no
 * native build): opening with checks done first, so that a missing, foreign or truncated file gets
 * one clear error instead of the library's diagnostics; reading datasets and attributes as plain
 * typed arrays and numbers with errors that name the file and the object; and atomic writing.
 */
import type { Dataset, File as H5File, Group } from 'h5wasm/node';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { tempName } from '../atomic-file.js';
import { DemoFileError } from './errors.js';
import { checkSuperblock } from './hdf5-superblock.js';

export type { Dataset, Group, H5File };

type H5Wasm = typeof import('h5wasm/node');

/** A numeric dataset read whole. */
export interface NumericArray {
  shape: number[];
  /** The values in row-major order, as float64 numbers (int64 converted, bool as 0/1). */
  values: ArrayLike<number>;
}

let loading: Promise<H5Wasm> | null = null;
let lib: H5Wasm | null = null;

/**
 * Loads the HDF5 library once per process. It is imported on first use, not with the package:
 * its 4 MB of WebAssembly would otherwise slow every command that never touches a demonstration.
 */
export async function hdf5Ready(): Promise<H5Wasm> {
  loading ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m;
  });
  lib = await loading;
  return lib;
}

/** The loaded library (after {@link hdf5Ready}). */
function h5(): H5Wasm {
  if (lib === null) throw new Error('HDF5 library not loaded: await hdf5Ready() first');
  return lib;
}

/** Whether `x` is an HDF5 group. */
export function isGroup(x: unknown): x is Group {
  return x instanceof h5().Group;
}

/** Whether `x` is an HDF5 dataset. */
export function isDataset(x: unknown): x is Dataset {
  return x instanceof h5().Dataset;
}

/** Opens `file` for reading after checking that it exists, is HDF5 and is whole. */
export async function openForReading(file: string): Promise<H5File> {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DemoFileError(file, code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? (e as Error).message})`);
  }
  if (!isFile) throw new DemoFileError(file, 'is not a file');
  const check = checkSuperblock(file);
  if (!check.ok) throw new DemoFileError(file, check.message);
  const { File } = await hdf5Ready();
  let h5: H5File;
  try {
    h5 = new File(file, 'r');
  } catch (e) {
    throw new DemoFileError(file, `the HDF5 library cannot open it (${(e as Error).message})`, { cause: e });
  }
  if (!(typeof h5.file_id === 'bigint' ? h5.file_id > 0n : Number(h5.file_id) > 0)) throw new DemoFileError(file, 'the HDF5 library cannot open it (corrupt file)');
  return h5;
}

/**
 * Writes an HDF5 file atomically: `fill` writes into a new file under a temporary name, which is
 * flushed and renamed over `file` only when `fill` succeeded.
 */
export async function writeHdf5Atomic(file: string, fill: (h5: H5File) => void): Promise<void> {
  const { File } = await hdf5Ready();
  const tmp = tempName(file);
  try {
    const h5 = new File(tmp, 'w');
    try {
      fill(h5);
    } finally {
      h5.close();
    }
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Path of `name` inside `group`, for messages. */
export function childPath(group: Group, name: string): string {
  return group.path === '/' ? `/${name}` : `${group.path}/${name}`;
}

/** The child group `name` of `group`; errors name the file and the path. */
export function getGroup(file: string, group: Group, name: string): Group {
  if (!group.keys().includes(name)) throw new DemoFileError(file, `missing group '${childPath(group, name)}'`);
  const child = group.get(name);
  if (!isGroup(child)) throw new DemoFileError(file, `'${childPath(group, name)}' is not a group`);
  return child;
}

/** Whether `group` has a child called `name` (without asking HDF5 for a missing one, which prints diagnostics). */
export function hasChild(group: Group, name: string): boolean {
  return group.keys().includes(name);
}

/** Reads the numeric dataset `name` of `group` whole; errors name the file and the dataset. */
export function readNumeric(file: string, group: Group, name: string): NumericArray {
  const where = childPath(group, name);
  if (!hasChild(group, name)) throw new DemoFileError(file, `missing dataset '${where}'`);
  const ds = group.get(name);
  if (!isDataset(ds)) throw new DemoFileError(file, `'${where}' is not a dataset`);
  let value: unknown;
  try {
    value = ds.value;
  } catch (e) {
    throw new DemoFileError(file, `cannot read dataset '${where}' (${(e as Error).message})`, { cause: e });
  }
  const shape = ds.shape ?? [];
  return { shape, values: toNumbers(value, file, where) };
}

/** An attribute of `obj` as a JS value (string, number, or array of numbers), or undefined when absent. */
export function readAttr(obj: Group | Dataset, name: string): string | number | number[] | undefined {
  const attr = obj.attrs[name];
  if (attr === undefined) return undefined;
  const v = attr.value;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (ArrayBuffer.isView(v)) {
    const numbers = Array.from(v as unknown as ArrayLike<number | bigint>, Number);
    return numbers.length === 1 ? numbers[0] : numbers;
  }
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  return undefined;
}

function toNumbers(value: unknown, file: string, where: string): ArrayLike<number> {
  if (typeof value === 'number') return [value];
  if (typeof value === 'bigint') return [Number(value)];
  if (typeof value === 'boolean') return [value ? 1 : 0];
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float64Array.from(value, Number);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return value as unknown as ArrayLike<number>;
  if (Array.isArray(value) && value.every((x) => typeof x === 'number' || typeof x === 'boolean')) return value.map(Number);
  throw new DemoFileError(file, `dataset '${where}' is not numeric`);
}
