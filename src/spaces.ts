/**
 * Observation and action spaces with Gymnasium's semantics.
 *
 * Values of a {@link Box} are `Float32Array`s in row-major order; values of a {@link Discrete}
 * are plain integers. Both spaces round-trip through JSON ({@link spaceToJSON},
 * {@link spaceFromJSON}); infinite bounds are written as the strings `"inf"` and `"-inf"`.
 */
import type { Rng } from './rng.js';

/** A value of a built-in space. */
export type SpaceValue = Float32Array | number;

/** The JSON form of a space. */
export type SpaceJSON =
  | { type: 'Box'; shape: number[]; low: (number | string)[]; high: (number | string)[]; dtype: 'float32' }
  | { type: 'Discrete'; n: number; start: number };

/** Common contract of every space. */
export interface SpaceLike<T> {
  /** Draws a uniformly distributed value (Gymnasium's rules for unbounded Box dimensions). */
  sample(rng: Rng): T;
  /** Whether `x` is a member: right type, shape and bounds. */
  contains(x: unknown): boolean;
  /** JSON form; {@link spaceFromJSON} reverses it. */
  toJSON(): SpaceJSON;
  /** Human-readable description, e.g. `Box(-2, 2, [1], float32)`. */
  toString(): string;
}

function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function toBoundArray(v: number | ArrayLike<number>, size: number, which: string): Float32Array {
  if (typeof v === 'number') return new Float32Array(size).fill(v);
  if (v.length !== size) throw new RangeError(`Box ${which} has ${v.length} entries, shape needs ${size}`);
  return Float32Array.from(v);
}

/**
 * A (possibly unbounded) box in R^n, float32.
 *
 * `new Box(-2, 2, [1])` is Pendulum's action space; `new Box([-1.2, -0.07], [0.6, 0.07])`
 * gives per-dimension bounds, the shape inferred from them.
 */
export class Box implements SpaceLike<Float32Array> {
  readonly type = 'Box' as const;
  readonly dtype = 'float32' as const;
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
  /** Number of scalar entries (product of the shape). */
  readonly size: number;

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    let s = shape;
    if (s === undefined) {
      if (typeof low !== 'number') s = [low.length];
      else if (typeof high !== 'number') s = [high.length];
      else throw new TypeError('Box with scalar bounds needs an explicit shape');
    }
    for (const d of s) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`Box shape must hold non-negative integers, got [${s.join(', ')}]`);
    }
    this.shape = Object.freeze([...s]);
    this.size = shapeSize(s);
    this.low = toBoundArray(low, this.size, 'low');
    this.high = toBoundArray(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      if (Number.isNaN(lo) || Number.isNaN(hi)) throw new RangeError(`Box bound ${i} is NaN`);
      if (lo > hi) throw new RangeError(`Box low[${i}] = ${lo} exceeds high[${i}] = ${hi}`);
      if (lo === Infinity || hi === -Infinity) throw new RangeError(`Box bound ${i} is empty: [${lo}, ${hi}]`);
    }
  }

  /** True when every dimension has finite low and high. */
  isBounded(): boolean {
    for (let i = 0; i < this.size; i++) {
      if (!Number.isFinite(this.low[i]) || !Number.isFinite(this.high[i])) return false;
    }
    return true;
  }

  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const boundedBelow = Number.isFinite(lo);
      const boundedAbove = Number.isFinite(hi);
      if (boundedBelow && boundedAbove) out[i] = lo + (hi - lo) * rng.random();
      else if (boundedBelow) out[i] = lo + rng.exponential();
      else if (boundedAbove) out[i] = hi - rng.exponential();
      else out[i] = rng.normal();
      // float32 rounding can push lo + (hi - lo)·u just past hi
      if (out[i] > hi) out[i] = hi;
    }
    return out;
  }

  contains(x: unknown): boolean {
    if (!(x instanceof Float32Array) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  /** Why `x` is not in this box, or null if it is: names the first offending entry. */
  explain(x: unknown): string | null {
    if (!(x instanceof Float32Array)) return `expected a Float32Array of length ${this.size}, got ${describe(x)}`;
    if (x.length !== this.size) return `expected length ${this.size} (shape [${this.shape.join(', ')}]), got length ${x.length}`;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (Number.isNaN(v)) return `entry ${i} is NaN`;
      if (!(v >= this.low[i] && v <= this.high[i])) return `entry ${i} = ${v} is outside [${this.low[i]}, ${this.high[i]}]`;
    }
    return null;
  }

  toJSON(): SpaceJSON {
    return { type: 'Box', shape: [...this.shape], low: encodeBounds(this.low), high: encodeBounds(this.high), dtype: 'float32' };
  }

  toString(): string {
    const uniform = (a: Float32Array) => a.every((v) => v === a[0]);
    const fmt = (a: Float32Array) => (uniform(a) && a.length > 0 ? String(a[0]) : `[${Array.from(a).join(', ')}]`);
    return `Box(${fmt(this.low)}, ${fmt(this.high)}, [${this.shape.join(', ')}], float32)`;
  }
}

/** The integers {start, ..., start + n − 1}. */
export class Discrete implements SpaceLike<number> {
  readonly type = 'Discrete' as const;
  readonly n: number;
  readonly start: number;

  constructor(n: number, start = 0) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`Discrete n must be a positive integer, got ${n}`);
    if (!Number.isSafeInteger(start)) throw new RangeError(`Discrete start must be an integer, got ${start}`);
    this.n = n;
    this.start = start;
  }

  sample(rng: Rng): number {
    return this.start + rng.int(this.n);
  }

  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  /** Why `x` is not in this space, or null if it is. */
  explain(x: unknown): string | null {
    if (typeof x !== 'number') return `expected an integer, got ${describe(x)}`;
    if (!Number.isInteger(x)) return `expected an integer, got ${x}`;
    if (x < this.start || x >= this.start + this.n) return `${x} is outside {${this.start}, ..., ${this.start + this.n - 1}}`;
    return null;
  }

  toJSON(): SpaceJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

/** Any built-in space. */
export type Space = Box | Discrete;

/** True when `x` is one of the built-in spaces. */
export function isSpace(x: unknown): x is Space {
  return x instanceof Box || x instanceof Discrete;
}

/** Number of scalars a value of `space` occupies when flattened (a Discrete counts as one). */
export function flatDim(space: Space): number {
  return space instanceof Box ? space.size : 1;
}

/** JSON form of a space (same as `space.toJSON()`). */
export function spaceToJSON(space: Space): SpaceJSON {
  return space.toJSON();
}

/** Rebuilds a space from {@link spaceToJSON}'s output, with an error naming the bad field. */
export function spaceFromJSON(json: unknown): Space {
  if (typeof json !== 'object' || json === null) throw new TypeError(`space JSON must be an object, got ${describe(json)}`);
  const j = json as Record<string, unknown>;
  if (j.type === 'Discrete') {
    if (typeof j.n !== 'number') throw new TypeError(`Discrete space JSON: field 'n' must be a number, got ${describe(j.n)}`);
    return new Discrete(j.n, typeof j.start === 'number' ? j.start : 0);
  }
  if (j.type === 'Box') {
    if (j.dtype !== undefined && j.dtype !== 'float32') throw new TypeError(`Box space JSON: dtype '${String(j.dtype)}' is not supported (float32 only)`);
    if (!Array.isArray(j.shape)) throw new TypeError(`Box space JSON: field 'shape' must be an array, got ${describe(j.shape)}`);
    return new Box(decodeBounds(j.low, 'low'), decodeBounds(j.high, 'high'), j.shape as number[]);
  }
  throw new TypeError(`space JSON: unknown type ${JSON.stringify(j.type)} (expected 'Box' or 'Discrete')`);
}

function encodeBounds(a: Float32Array): (number | string)[] {
  return Array.from(a, (v) => (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v));
}

function decodeBounds(v: unknown, which: string): number[] {
  if (!Array.isArray(v)) throw new TypeError(`Box space JSON: field '${which}' must be an array, got ${describe(v)}`);
  return v.map((x, i) => {
    if (x === 'inf' || x === 'Infinity') return Infinity;
    if (x === '-inf' || x === '-Infinity') return -Infinity;
    if (typeof x !== 'number') throw new TypeError(`Box space JSON: ${which}[${i}] must be a number or "inf"/"-inf", got ${describe(x)}`);
    return x;
  });
}

/** Short description of a value's type for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of length ${(x as unknown as ArrayLike<number>).length}`;
  if (typeof x === 'number') return `the number ${x}`;
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `${typeof x} ${String(x)}`;
}
