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
import { MAX_BUFFER_CAPACITY, readBufferFiles, writeBufferFiles, type BufferArrays, type ReplayBufferState } from './buffer-io.js';
import type { Batch } from './learner.js';
import type { Rng } from './rng.js';

export { MAX_BUFFER_CAPACITY, type ReplayBufferState } from './buffer-io.js';

/**
 * Rewards for `count` rows given as flat row-major arrays; must return `count` finite values.
 * `rows` holds each row's buffer row index (for side data kept per row, e.g. absorbing flags).
 */
export type RewardFn = (obs: Float32Array, actions: Float32Array, nextObs: Float32Array, count: number, rows: Int32Array) => Float32Array;

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

/** One stored transition, copied out (see {@link ReplayBuffer.transition}). */
export interface Transition {
  obs: Float32Array;
  action: Float32Array;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
}

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
  private gatherRows = new Int32Array(0);

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
    this.gatherRows = new Int32Array(rows);
  }

  private gather(row: number, slot: number): void {
    const o = this.obsDim;
    const a = this.actDim;
    copyRow(this.obsData, row * o, this.gatherObs, slot * o, o);
    copyRow(this.actData, row * a, this.gatherAct, slot * a, a);
    copyRow(this.nextObsData, row * o, this.gatherNextObs, slot * o, o);
    this.gatherRows[slot] = row;
  }

  private applyRewardFn(rewardFn: RewardFn, rows: number, gamma: number, out: Outputs): void {
    // Exact-length views, so a rewardFn may take a row count from obs.length as well as `count`.
    const r = rewardFn(this.gatherObs.subarray(0, rows * this.obsDim), this.gatherAct.subarray(0, rows * this.actDim), this.gatherNextObs.subarray(0, rows * this.obsDim), rows, this.gatherRows.subarray(0, rows));
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
   * Saves the stored rows and counters into `dir` (created if needed), crash-safely: see
   * src/buffer-io.ts for the format. One buffer at a time may save into a given dir.
   */
  async saveTo(dir: string): Promise<void> {
    await writeBufferFiles(dir, this.arrays(), this.state());
  }

  /**
   * Loads what {@link ReplayBuffer.saveTo} wrote. The manifest and every file's size and contents
   * (finite floats, 0/1 flags) are checked; errors name the file and what is wrong.
   */
  static async loadFrom(dir: string): Promise<ReplayBuffer> {
    let buffer: ReplayBuffer | null = null;
    const state = await readBufferFiles(dir, (shape) => {
      buffer = new ReplayBuffer(shape);
      return buffer.arrays();
    });
    const loaded = buffer as unknown as ReplayBuffer;
    loaded.pos = state.position;
    loaded.count = state.size;
    loaded.total = state.added;
    return loaded;
  }

  /** The storage arrays, for saving and loading. */
  private arrays(): BufferArrays {
    return { obs: this.obsData, actions: this.actData, rewards: this.rewData, nextObs: this.nextObsData, terminated: this.termData, truncated: this.truncData };
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
