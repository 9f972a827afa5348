/**
 * ReplayBuffer: the off-policy transition store, a preallocated Float32Array ring.
 *
 * Rows are (obs, action, reward, nextObs, terminated, truncated), written in insertion order at
 * the write head `position`; once `capacity` rows are stored the oldest row is overwritten.
 * Every array is allocated once, in the constructor, so memory use is known up front and `add`
 * never allocates.
 *
 * Sampling draws row indices uniformly, with replacement (as SB3), from a seeded {@link Rng} the
 * caller owns, and folds each sample's n-step window into a {@link Batch} (see
 * {@link ReplayBuffer.sample}). Rewards may be recomputed at sampling time by a `rewardFn` over
 * every row of every window (GAIL's "historical patching", paper §1.4 and §1.6).
 *
 * Consecutive rows are read as consecutive steps of one episode stream, so with nStep > 1 rows
 * must be added in time order from a single env (or one env's episode at a time); rows of several
 * envs interleaved step by step would be folded across envs. With nStep = 1 any order is fine.
 *
 * Absorbing-state rows (src/wrappers/absorbing-state.ts) are stored like any other row with
 * terminated = true, so no window ever reaches past them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { Batch } from './learner.js';
import type { Rng } from './rng.js';

/** Largest capacity accepted: 1e6 rows, the usual off-policy budget (SB3's default). */
export const MAX_BUFFER_CAPACITY = 1_000_000;

/** Rewards for `count` rows given as flat row-major arrays; must return `count` finite values. */
export type RewardFn = (obs: Float32Array, actions: Float32Array, nextObs: Float32Array, count: number) => Float32Array;

/** Shape of a {@link ReplayBuffer}. */
export interface ReplayBufferOptions {
  /** Rows kept, 1 to {@link MAX_BUFFER_CAPACITY}. */
  capacity: number;
  /** Floats per observation. */
  obsDim: number;
  /** Floats per action. */
  actDim: number;
}

/** Options of {@link ReplayBuffer.sample}. */
export interface SampleOptions {
  /** Window length n, a positive integer (default 1: plain transitions). */
  nStep?: number;
  /** Discount γ in [0, 1] used inside the window (default 0.99). */
  gamma?: number;
  /** Recomputes rewards for every window row; the stored rewards are then ignored. */
  rewardFn?: RewardFn;
  /**
   * Reproduce the paper code's n-step quirk: a termination on the last row the window could reach
   * (its n-th row, or the newest row) counts as "not trimmed", so the target bootstraps from the
   * terminal row's next observation (dones = 0). Default false: a termination always gives dones = 1.
   */
  paperNStepQuirk?: boolean;
  /**
   * Default true: the returned arrays are the buffer's own, reused (overwritten) by the next
   * `sample` call with the same batch size. False allocates fresh arrays the caller may keep.
   */
  reuse?: boolean;
}

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

/** One stored transition, copied out (see {@link ReplayBuffer.transition}). */
export interface Transition {
  obs: Float32Array;
  action: Float32Array;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
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
/** Data files this class writes; only these (and its temp manifests) are ever deleted from a dir. */
const DATA_FILE = /^buffer-[0-9a-f]+-(?:obs|actions|rewards|next-obs)\.f32$|^buffer-[0-9a-f]+-(?:terminated|truncated)\.u8$/;
const TEMP_MANIFEST = /^buffer\.json\.tmp-[0-9a-f]+$/;
/** Distinct batch sizes whose output arrays are kept for reuse. */
const MAX_CACHED_SIZES = 8;

interface Outputs {
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  dones: Float32Array;
  discounts: Float32Array;
  indices: Int32Array;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly obsDim: number;
  readonly actDim: number;
  private readonly obsData: Float32Array;
  private readonly actData: Float32Array;
  private readonly rewData: Float32Array;
  private readonly nextObsData: Float32Array;
  private readonly termData: Uint8Array;
  private readonly truncData: Uint8Array;
  private pos = 0;
  private count = 0;
  private total = 0;
  private readonly outputs = new Map<number, Outputs>();
  // Window bookkeeping and the rows gathered for rewardFn; grown on demand, never shrunk.
  private windowLength = new Int32Array(0);
  private gatherObs = new Float32Array(0);
  private gatherAct = new Float32Array(0);
  private gatherNextObs = new Float32Array(0);

  constructor(options: ReplayBufferOptions) {
    const { capacity, obsDim, actDim } = options ?? ({} as ReplayBufferOptions);
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_BUFFER_CAPACITY) {
      throw new RangeError(`ReplayBuffer: capacity must be an integer in [1, ${MAX_BUFFER_CAPACITY}], got ${String(capacity)}`);
    }
    for (const [name, dim] of [['obsDim', obsDim], ['actDim', actDim]] as const) {
      if (!Number.isSafeInteger(dim) || dim < 1) throw new RangeError(`ReplayBuffer: ${name} must be a positive integer, got ${String(dim)}`);
    }
    this.capacity = capacity;
    this.obsDim = obsDim;
    this.actDim = actDim;
    try {
      this.obsData = new Float32Array(capacity * obsDim);
      this.actData = new Float32Array(capacity * actDim);
      this.rewData = new Float32Array(capacity);
      this.nextObsData = new Float32Array(capacity * obsDim);
      this.termData = new Uint8Array(capacity);
      this.truncData = new Uint8Array(capacity);
    } catch (err) {
      const bytes = capacity * (4 * (2 * obsDim + actDim + 1) + 2);
      throw new RangeError(`ReplayBuffer: cannot allocate ${capacity} rows (obsDim ${obsDim}, actDim ${actDim}, ${(bytes / 2 ** 20).toFixed(0)} MiB): ${(err as Error).message}`);
    }
  }

  /** Rows currently stored. */
  get size(): number {
    return this.count;
  }

  /** Next row to write; once the buffer is full it holds the oldest row. */
  get position(): number {
    return this.pos;
  }

  /** Whether every row holds a transition (the next `add` overwrites the oldest). */
  get full(): boolean {
    return this.count === this.capacity;
  }

  /** The counters of {@link ReplayBufferState}. */
  state(): ReplayBufferState {
    return { capacity: this.capacity, obsDim: this.obsDim, actDim: this.actDim, size: this.count, position: this.pos, added: this.total };
  }

  /** Forgets every row (the arrays are kept, not zeroed). */
  clear(): void {
    this.pos = 0;
    this.count = 0;
    this.total = 0;
  }

  /**
   * Stores one transition at the write head, overwriting the oldest row when full. Everything is
   * checked before anything is written, so a rejected row leaves the buffer unchanged.
   * @param terminated true termination: the target will not bootstrap from `nextObs`.
   * @param truncated time limit or other cut-off: the target still bootstraps from `nextObs`.
   */
  add(obs: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, terminated: boolean, truncated: boolean): void {
    checkRow('obs', obs, this.obsDim, 'obsDim');
    checkRow('action', action, this.actDim, 'actDim');
    checkRow('nextObs', nextObs, this.obsDim, 'obsDim');
    if (typeof reward !== 'number' || !Number.isFinite(reward)) throw new RangeError(`ReplayBuffer.add: reward must be a finite number, got ${String(reward)}`);
    if (typeof terminated !== 'boolean') throw new TypeError(`ReplayBuffer.add: terminated must be a boolean, got ${typeof terminated}`);
    if (typeof truncated !== 'boolean') throw new TypeError(`ReplayBuffer.add: truncated must be a boolean, got ${typeof truncated}`);
    const row = this.pos;
    this.obsData.set(obs, row * this.obsDim);
    this.actData.set(action, row * this.actDim);
    this.rewData[row] = reward;
    this.nextObsData.set(nextObs, row * this.obsDim);
    this.termData[row] = terminated ? 1 : 0;
    this.truncData[row] = truncated ? 1 : 0;
    this.pos = row + 1 === this.capacity ? 0 : row + 1;
    if (this.count < this.capacity) this.count += 1;
    this.total += 1;
  }

  /** A copy of the `i`-th stored transition in insertion order (0 = oldest), for diagnostics. */
  transition(i: number): Transition {
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.count) throw new RangeError(`ReplayBuffer.transition: index must be an integer in [0, ${this.count}), got ${String(i)}`);
    const row = (this.full ? this.pos + i : i) % this.capacity;
    const o = this.obsDim;
    const a = this.actDim;
    return {
      obs: this.obsData.slice(row * o, row * o + o),
      action: this.actData.slice(row * a, row * a + a),
      reward: this.rewData[row],
      nextObs: this.nextObsData.slice(row * o, row * o + o),
      terminated: this.termData[row] === 1,
      truncated: this.truncData[row] === 1,
    };
  }

  /**
   * Samples `batchSize` rows uniformly with replacement, drawing `batchSize` indices from `rng`
   * (`rng.int(size)` each, in batch order), and folds each one's n-step window.
   *
   * The window of a sampled row t is rows t, t+1, … in insertion order (following the ring's wrap),
   * at most `nStep` of them. It stops after the first row whose `terminated` or `truncated` is set,
   * and at the newest row: it never crosses the write head into older data. With k rows kept,
   * `rewards` = Σ_{j<k} γ^j r_{t+j}, `nextObs` = the k-th row's nextObs, `discounts` = γ^k, and
   * `dones` = 1 exactly when the k-th row is a true termination (a row both terminated and
   * truncated counts as terminated). A truncated k-th row gives dones = 0, so the learner
   * bootstraps from the truncated row's nextObs, as Gymnasium's semantics require. `obs`, `actions`
   * and `indices` are the sampled row's own. nStep = 1 gives the plain transition with γ^1.
   *
   * Differences from the paper's code (§1.6): that code folds a termination found on exactly the
   * window's last row into a "not trimmed" window and bootstraps from the terminal next state.
   * That is a bug (it adds γ^n·V(s_T) to a finished episode's return), so it is not reproduced
   * unless `paperNStepQuirk` is set. The paper also treats time-limit endings as terminal; store
   * such rows with terminated = true to get that behaviour.
   *
   * With `rewardFn`, every row of every window is gathered, sample after sample and each window
   * in time order, and `rewardFn` is called once with all of them; its values replace the stored
   * rewards. The arrays it receives are views on reused scratch memory: it must not keep them,
   * nor sample from this buffer itself.
   *
   * Unless `options.reuse` is false, the returned arrays belong to the buffer and are overwritten
   * by the next call with the same batch size. The training loop copies a batch into tensors at
   * once, so reuse is safe there and spares an allocation per update; a caller holding two
   * batches at a time must pass `reuse: false`.
   */
  sample(batchSize: number, rng: Rng, options: SampleOptions = {}): Batch {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`ReplayBuffer.sample: batchSize must be a positive integer, got ${String(batchSize)}`);
    if (this.count === 0) throw new Error('ReplayBuffer.sample: the buffer is empty; add transitions before sampling');
    const nStep = options.nStep ?? 1;
    const gamma = options.gamma ?? 0.99;
    const { rewardFn } = options;
    if (!Number.isSafeInteger(nStep) || nStep < 1) throw new RangeError(`ReplayBuffer.sample: nStep must be a positive integer, got ${String(nStep)}`);
    if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= 1)) throw new RangeError(`ReplayBuffer.sample: gamma must be in [0, 1], got ${String(gamma)}`);
    if (rewardFn !== undefined && typeof rewardFn !== 'function') throw new TypeError(`ReplayBuffer.sample: rewardFn must be a function, got ${typeof rewardFn}`);
    const quirk = options.paperNStepQuirk === true;
    const out = options.reuse === false ? allocOutputs(batchSize, this.obsDim, this.actDim) : this.cachedOutputs(batchSize);
    if (this.windowLength.length < batchSize) this.windowLength = new Int32Array(batchSize);
    const { obsDim: o, actDim: a, capacity: cap } = this;
    const newest = this.pos === 0 ? cap - 1 : this.pos - 1;
    if (rewardFn !== undefined) this.reserveGather(batchSize * Math.min(nStep, this.count));
    let gathered = 0;
    for (let i = 0; i < batchSize; i++) {
      const start = rng.int(this.count);
      out.indices[i] = start;
      copyRow(this.obsData, start * o, out.obs, i * o, o);
      copyRow(this.actData, start * a, out.actions, i * a, a);
      // Walk the window; the stored-reward sum is wasted work with rewardFn but keeps one loop.
      let row = start;
      let k = 0;
      let g = 1;
      let ret = 0;
      for (;;) {
        ret += g * this.rewData[row];
        g *= gamma;
        k += 1;
        if (rewardFn !== undefined) this.gather(row, gathered++);
        if (this.termData[row] === 1 || this.truncData[row] === 1 || k === nStep || row === newest) break;
        row = row + 1 === cap ? 0 : row + 1;
      }
      const reachEnd = k === nStep || row === newest;
      out.dones[i] = this.termData[row] === 1 && !(quirk && reachEnd) ? 1 : 0;
      out.discounts[i] = g;
      out.rewards[i] = ret;
      copyRow(this.nextObsData, row * o, out.nextObs, i * o, o);
      this.windowLength[i] = k;
    }
    if (rewardFn !== undefined) this.applyRewardFn(rewardFn, gathered, gamma, out);
    return { size: batchSize, obsDim: o, actDim: a, ...out };
  }

  private cachedOutputs(batchSize: number): Outputs {
    let out = this.outputs.get(batchSize);
    if (out === undefined) {
      // A caller cycling through many batch sizes should not pin memory for each one.
      if (this.outputs.size >= MAX_CACHED_SIZES) this.outputs.clear();
      out = allocOutputs(batchSize, this.obsDim, this.actDim);
      this.outputs.set(batchSize, out);
    }
    return out;
  }

  private reserveGather(rows: number): void {
    if (this.gatherObs.length >= rows * this.obsDim) return;
    this.gatherObs = new Float32Array(rows * this.obsDim);
    this.gatherAct = new Float32Array(rows * this.actDim);
    this.gatherNextObs = new Float32Array(rows * this.obsDim);
  }

  private gather(row: number, slot: number): void {
    const o = this.obsDim;
    const a = this.actDim;
    copyRow(this.obsData, row * o, this.gatherObs, slot * o, o);
    copyRow(this.actData, row * a, this.gatherAct, slot * a, a);
    copyRow(this.nextObsData, row * o, this.gatherNextObs, slot * o, o);
  }

  private applyRewardFn(rewardFn: RewardFn, rows: number, gamma: number, out: Outputs): void {
    // Exact-length views, so a rewardFn may take a row count from obs.length as well as `count`.
    const r = rewardFn(this.gatherObs.subarray(0, rows * this.obsDim), this.gatherAct.subarray(0, rows * this.actDim), this.gatherNextObs.subarray(0, rows * this.obsDim), rows);
    if (r === null || typeof r !== 'object' || r.length !== rows) {
      throw new RangeError(`ReplayBuffer.sample: rewardFn must return ${rows} rewards (one per window row), got ${r === null || typeof r !== 'object' ? String(r) : `${r.length} values`}`);
    }
    let slot = 0;
    for (let i = 0; i < out.indices.length; i++) {
      let ret = 0;
      let g = 1;
      for (let j = 0; j < this.windowLength[i]; j++, slot++) {
        const v = r[slot];
        if (!Number.isFinite(v)) throw new RangeError(`ReplayBuffer.sample: rewardFn returned ${v} for window row ${slot} (buffer row ${(out.indices[i] + j) % this.capacity})`);
        ret += g * v;
        g *= gamma;
      }
      out.rewards[i] = ret;
    }
  }

  /**
   * Saves the stored rows and counters into `dir` (created if needed): one binary file per field,
   * holding only the filled rows, and the manifest `buffer.json`. Data files get fresh names and
   * the manifest, written to a temporary name and renamed, is the commit point: a crash at any
   * moment leaves either the previous save or the new one loadable, never a mix. Superseded files
   * of this class are then removed. One buffer at a time may save into a given dir.
   */
  async saveTo(dir: string): Promise<void> {
    assertLittleEndian(dir);
    await mkdir(dir, { recursive: true });
    const id = randomBytes(6).toString('hex');
    const files = Object.fromEntries(FIELDS.map((f) => [f, `buffer-${id}-${FILE_SUFFIX[f]}`])) as Record<Field, string>;
    for (const field of FIELDS) {
      const data = this.fieldData(field);
      const filled = data.subarray(0, this.count * (data.length / this.capacity));
      await writeDurably(join(dir, files[field]), new Uint8Array(filled.buffer, filled.byteOffset, filled.byteLength));
    }
    const manifest = { format: FORMAT, version: FORMAT_VERSION, byteOrder: 'little-endian', ...this.state(), files };
    const temp = join(dir, `${MANIFEST}.tmp-${id}`);
    await writeDurably(temp, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
    await rename(temp, join(dir, MANIFEST));
    await syncDir(dir);
    const keep = new Set<string>(Object.values(files));
    for (const name of await readdir(dir)) {
      if ((DATA_FILE.test(name) && !keep.has(name)) || TEMP_MANIFEST.test(name)) await rm(join(dir, name), { force: true });
    }
  }

  /**
   * Loads what {@link ReplayBuffer.saveTo} wrote. The manifest and every file's size and contents
   * (finite floats, 0/1 flags) are checked; errors name the file and what is wrong.
   */
  static async loadFrom(dir: string): Promise<ReplayBuffer> {
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
    const buffer = new ReplayBuffer({ capacity: m.capacity, obsDim: m.obsDim, actDim: m.actDim });
    for (const field of FIELDS) {
      const path = join(dir, m.files[field]);
      const data = buffer.fieldData(field);
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
    buffer.pos = m.position;
    buffer.count = m.size;
    buffer.total = m.added;
    return buffer;
  }

  private fieldData(field: Field): Float32Array | Uint8Array {
    const data = { obs: this.obsData, actions: this.actData, rewards: this.rewData, nextObs: this.nextObsData, terminated: this.termData, truncated: this.truncData };
    return data[field];
  }
}

function checkRow(name: string, v: ArrayLike<number>, dim: number, dimName: string): void {
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new TypeError(`ReplayBuffer.add: ${name} must be an array of ${dimName} = ${dim} numbers, got ${v === null ? 'null' : typeof v}`);
  }
  if (v.length !== dim) throw new RangeError(`ReplayBuffer.add: ${name} has length ${v.length}, expected ${dimName} = ${dim}`);
  for (let i = 0; i < dim; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`ReplayBuffer.add: ${name}[${i}] is ${String(x)}; stored values must be finite numbers`);
  }
}

/** A plain loop: for rows of a few floats it beats `set(subarray())`, and allocates no view. */
function copyRow(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  for (let j = 0; j < n; j++) dst[to + j] = src[from + j];
}

function allocOutputs(batchSize: number, obsDim: number, actDim: number): Outputs {
  return {
    obs: new Float32Array(batchSize * obsDim),
    actions: new Float32Array(batchSize * actDim),
    rewards: new Float32Array(batchSize),
    nextObs: new Float32Array(batchSize * obsDim),
    dones: new Float32Array(batchSize),
    discounts: new Float32Array(batchSize),
    indices: new Int32Array(batchSize),
  };
}

interface Manifest extends ReplayBufferState {
  files: Record<Field, string>;
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

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable on POSIX; directories cannot be opened this way on Windows.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
