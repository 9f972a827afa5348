/**
 * The replay buffer's on-disk format: a JSON manifest `buffer.json` (format, version, byte order,
 * counters, file names) and one raw little-endian file per field holding only the filled rows.
 *
 * Crash safety: data files get fresh names on every save and are flushed; the manifest, written
 * atomically, is the commit point. A crash at any moment leaves either the previous save or the
 * new one loadable, never a mix. Superseded files of this format are removed afterwards, and only
 * files matching its own naming pattern are ever deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { syncDir, writeFileAtomicAsync, writeFileDurable } from './atomic-file.js';

/** Largest capacity accepted: 1e6 rows, the usual off-policy budget (SB3's default). */
export const MAX_BUFFER_CAPACITY = 1_000_000;

/** The counters that, with the rows, make a buffer's whole state. */
export interface ReplayBufferState {
  capacity: number;
  obsDim: number;
  actDim: number;
  /** Rows currently stored. */
  size: number;
  /** Next row to write (the oldest row once the buffer is full). */
  position: number;
  /** Rows added since construction or the last `clear()`, overwritten ones included. */
  added: number;
}

/** A buffer's storage arrays, each `capacity` rows long. */
export interface BufferArrays {
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

const FORMAT = 'imitate-replay-buffer';
const FORMAT_VERSION = 1;
const MANIFEST = 'buffer.json';
const FIELDS = ['obs', 'actions', 'rewards', 'nextObs', 'terminated', 'truncated'] as const;
type Field = (typeof FIELDS)[number];
const FILE_SUFFIX: Record<Field, string> = {
  obs: 'obs.f32',
  actions: 'actions.f32',
  rewards: 'rewards.f32',
  nextObs: 'next-obs.f32',
  terminated: 'terminated.u8',
  truncated: 'truncated.u8',
};
/** Data files this format writes; only these (and its temp manifests) are ever deleted from a dir. */
const DATA_FILE = /^buffer-[0-9a-f]+-(?:obs|actions|rewards|next-obs)\.f32$|^buffer-[0-9a-f]+-(?:terminated|truncated)\.u8$/;
const TEMP_MANIFEST = /^tmp-buffer\.json-\d+-[0-9a-f]+$/;

interface Manifest extends ReplayBufferState {
  files: Record<Field, string>;
}

/** Saves the filled rows of `arrays` and the counters `state` into `dir` (created if needed). */
export async function writeBufferFiles(dir: string, arrays: BufferArrays, state: ReplayBufferState): Promise<void> {
  assertLittleEndian(dir);
  await mkdir(dir, { recursive: true });
  const id = randomBytes(6).toString('hex');
  const files = Object.fromEntries(FIELDS.map((f) => [f, `buffer-${id}-${FILE_SUFFIX[f]}`])) as Record<Field, string>;
  for (const field of FIELDS) {
    const data = arrays[field];
    const filled = data.subarray(0, state.size * (data.length / state.capacity));
    await writeFileDurable(join(dir, files[field]), new Uint8Array(filled.buffer, filled.byteOffset, filled.byteLength));
  }
  const manifest = { format: FORMAT, version: FORMAT_VERSION, byteOrder: 'little-endian', ...state, files };
  await writeFileAtomicAsync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  await syncDir(dir);
  const keep = new Set<string>(Object.values(files));
  for (const name of await readdir(dir)) {
    if ((DATA_FILE.test(name) && !keep.has(name)) || TEMP_MANIFEST.test(name)) await rm(join(dir, name), { force: true });
  }
}

/**
 * Reads what {@link writeBufferFiles} wrote into the arrays `allocate` returns for the saved
 * shape, checking the manifest and every file's size and contents; returns the saved counters.
 */
export async function readBufferFiles(dir: string, allocate: (shape: { capacity: number; obsDim: number; actDim: number }) => BufferArrays): Promise<ReplayBufferState> {
  assertLittleEndian(dir);
  const manifestPath = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`ReplayBuffer.loadFrom: ${manifestPath} is missing; no replay buffer was saved in ${dir}`);
    throw err;
  }
  const m = parseManifest(text, manifestPath);
  const arrays = allocate(m);
  for (const field of FIELDS) {
    const path = join(dir, m.files[field]);
    const data = arrays[field];
    const width = data.length / m.capacity;
    const expected = m.size * width * data.BYTES_PER_ELEMENT;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`ReplayBuffer.loadFrom: ${path} is missing (named by ${manifestPath} for '${field}')`);
      throw err;
    }
    if (bytes.byteLength !== expected) {
      throw new Error(`ReplayBuffer.loadFrom: ${path} has ${bytes.byteLength} bytes, expected ${expected} (${m.size} rows × ${width} × ${data.BYTES_PER_ELEMENT} bytes); the file is truncated or the manifest's dims are wrong`);
    }
    // Copy bytewise: a Buffer read from disk need not be aligned for a Float32Array view.
    new Uint8Array(data.buffer, data.byteOffset, expected).set(bytes);
    checkLoaded(data, m.size * width, width, field, path);
  }
  const { files: _files, ...state } = m;
  return state;
}

function parseManifest(text: string, path: string): Manifest {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`ReplayBuffer.loadFrom: ${path} is not valid JSON (${(err as Error).message}); the file is corrupt`);
  }
  const bad = (what: string) => new Error(`ReplayBuffer.loadFrom: ${path}: ${what}`);
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw bad('expected a JSON object');
  if (m.format !== FORMAT) throw bad(`field 'format' must be '${FORMAT}', got ${JSON.stringify(m.format)}`);
  if (m.version !== FORMAT_VERSION) throw bad(`field 'version' must be ${FORMAT_VERSION} (the version this code reads), got ${JSON.stringify(m.version)}`);
  if (m.byteOrder !== 'little-endian') throw bad(`field 'byteOrder' must be 'little-endian', got ${JSON.stringify(m.byteOrder)}`);
  const int = (key: string, min: number, max: number): number => {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw bad(`field '${key}' must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return v;
  };
  const capacity = int('capacity', 1, MAX_BUFFER_CAPACITY);
  const obsDim = int('obsDim', 1, Number.MAX_SAFE_INTEGER);
  const actDim = int('actDim', 1, Number.MAX_SAFE_INTEGER);
  const size = int('size', 0, capacity);
  const position = int('position', 0, capacity - 1);
  const added = int('added', size, Number.MAX_SAFE_INTEGER);
  // Rows fill 0, 1, … until the ring is full, so a partly filled buffer writes next at `size`.
  if (size < capacity && position !== size) throw bad(`field 'position' must equal size (${size}) while the buffer is not full, got ${position}`);
  const files = m.files as Record<string, unknown> | undefined;
  if (files === null || typeof files !== 'object') throw bad(`field 'files' must be an object naming one file per field`);
  for (const field of FIELDS) {
    const name = files[field];
    // Only names this class writes: a manifest must not point outside its dir.
    if (typeof name !== 'string' || !DATA_FILE.test(name) || !name.endsWith(FILE_SUFFIX[field])) throw bad(`files.${field} must be a file name like 'buffer-<id>-${FILE_SUFFIX[field]}', got ${JSON.stringify(name)}`);
  }
  return { capacity, obsDim, actDim, size, position, added, files: files as Record<Field, string> };
}

function checkLoaded(data: Float32Array | Uint8Array, length: number, width: number, field: Field, path: string): void {
  const flags = data instanceof Uint8Array;
  for (let i = 0; i < length; i++) {
    const x = data[i];
    if (flags ? x > 1 : !Number.isFinite(x)) {
      throw new Error(`ReplayBuffer.loadFrom: ${path}: row ${Math.floor(i / width)} of '${field}' holds ${x}, expected ${flags ? '0 or 1' : 'a finite float'}; the file is corrupt`);
    }
  }
}

function assertLittleEndian(dir: string): void {
  // Files are the typed arrays' raw bytes; other byte orders would need swapping, which no supported platform needs.
  if (endianness() !== 'LE') throw new Error(`ReplayBuffer: saving or loading ${dir} needs a little-endian platform`);
}
