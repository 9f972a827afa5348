/**
 * Seeded random streams.
 *
 * One integer seed yields any number of independent, named streams (`root.stream('env')`,
 * `root.stream('buffer')`, ...). A stream's whole state is four 32-bit words plus the cached
 * second normal deviate, so it can be saved into a checkpoint and restored exactly.
 *
 * The generator is Tyche-i (seedrandom's `tychei`): small state, fast in JavaScript, and it passes
 * the statistical batteries its authors report. It is not NumPy's PCG64, so draws do not match
 * Gymnasium's; parity tests set states directly instead (see docs/classic-control.md).
 */
import seedrandom from 'seedrandom';

/** Saved state of an {@link Rng}: JSON-serialisable. */
export interface RngState {
  a: number;
  b: number;
  c: number;
  d: number;
  /** The second Box–Muller deviate, cached between `normal()` calls, or null. */
  spare: number | null;
}

type TycheState = { a: number; b: number; c: number; d: number };

/** Largest seed accepted: seeds are kept in the exactly representable integer range. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Checks that `seed` is a non-negative safe integer, naming `what` in the error. */
export function assertSeed(seed: unknown, what = 'seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new TypeError(`${what} must be a non-negative integer (at most ${MAX_SEED}), got ${String(seed)}`);
  }
}

/** A seeded pseudo-random stream with savable state. */
export class Rng {
  private gen: seedrandom.StatefulPRNG<TycheState>;
  private spare: number | null = null;
  /** The key this stream was derived from (seed and stream names), for diagnostics. */
  readonly key: string;

  /** Creates the root stream of `seed`. Use {@link Rng.stream} to derive named streams. */
  constructor(seed: number | string) {
    if (typeof seed === 'number') assertSeed(seed);
    this.key = String(seed);
    this.gen = seedrandom.tychei(this.key, { state: true }) as seedrandom.StatefulPRNG<TycheState>;
  }

  /** A root stream seeded from the operating system's entropy, for unseeded envs. */
  static fromEntropy(): Rng {
    return new Rng(entropySeed());
  }

  /** Restores a stream from {@link Rng.state}'s output. */
  static fromState(state: RngState, key = 'restored'): Rng {
    const rng = new Rng(key);
    rng.setState(state);
    return rng;
  }

  /**
   * An independent stream named `name`, derived from this stream's key (not from its position):
   * `new Rng(7).stream('env')` is the same stream however much the parent was used.
   */
  stream(name: string): Rng {
    if (name.length === 0) throw new TypeError('stream name must not be empty');
    return new Rng(`${this.key}/${name}`);
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    // seedrandom's double() rejects exact 0; keep [0, 1) semantics by drawing raw words.
    const hi = this.gen.int32() >>> 5; // 27 bits
    const lo = this.gen.int32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.random() * n);
  }

  /** Standard normal deviate (Box–Muller; the second deviate is cached and saved with the state). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential deviate with rate 1. */
  exponential(): number {
    let u = 0;
    while (u === 0) u = this.random();
    return -Math.log(u);
  }

  /** A fresh seed in [0, 2^31) for another generator (e.g. a tfjs random op's `seed`). */
  seed(): number {
    return this.gen.int32() >>> 1;
  }

  /** A copy of the full state; {@link Rng.setState} with it replays the same draws. */
  state(): RngState {
    const { a, b, c, d } = this.gen.state();
    return { a, b, c, d, spare: this.spare };
  }

  /** Restores a state returned by {@link Rng.state}. */
  setState(state: RngState): void {
    for (const k of ['a', 'b', 'c', 'd'] as const) {
      if (!Number.isInteger(state?.[k])) throw new TypeError(`invalid RNG state: field '${k}' must be an integer`);
    }
    const { a, b, c, d } = state;
    this.gen = seedrandom.tychei('', { state: { a, b, c, d } }) as seedrandom.StatefulPRNG<TycheState>;
    this.spare = state.spare ?? null;
  }
}

/** A seed from the OS entropy source (Gymnasium seeds unseeded envs the same way). */
export function entropySeed(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (words[0] & 0x1fffff) * 0x100000000 + words[1];
}
