/**
 * The environment API, with Gymnasium's semantics.
 *
 * - `reset({seed, options}) -> [obs, info]`: a seed re-seeds the env's random stream; a reset
 *   without one continues the stream (an env never seeded draws its seed from OS entropy).
 * - `step(action) -> [obs, reward, terminated, truncated, info]`: `terminated` means the MDP
 *   reached a terminal state; `truncated` means it was cut short (a time limit), so a critic
 *   still bootstraps through it.
 *
 * Observations and actions are `Float32Array` for {@link Box} spaces and `number` for
 * {@link Discrete} ones. A custom env implements {@link Env} (or extends {@link BaseEnv}) and is
 * made available by name with {@link register} (see src/registry.ts).
 */
import { Rng } from './rng.js';
import { Box, Discrete, type Space, type SpaceValue } from './spaces.js';
import type { EnvSpec } from './registry.js';

/** Extra diagnostics returned by `reset` and `step`. */
export type Info = Record<string, unknown>;

/** What `step` returns: observation, reward, terminated, truncated, info. */
export type StepResult<O = SpaceValue> = [obs: O, reward: number, terminated: boolean, truncated: boolean, info: Info];

/** Arguments of `reset`. */
export interface ResetOptions {
  /** Re-seeds the env's random stream; omitted, the stream continues. */
  seed?: number;
  /** Env-specific options (e.g. Pendulum's `x_init`, CartPole's `low`/`high`). */
  options?: Record<string, unknown>;
}

/** A Gymnasium-style environment. */
export interface Env<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** The registration this env was made from, if it was made by `make`. */
  spec?: EnvSpec;
  /** Free-form metadata (`renderModes`, `renderFps`, ...). */
  readonly metadata?: Record<string, unknown>;
  /** The innermost env under all wrappers (the env itself when not wrapped). */
  readonly unwrapped: Env;
  reset(options?: ResetOptions): [O, Info];
  step(action: A): StepResult<O>;
  /** A text picture of the current state, when the env supports it. */
  render?(): string;
  /** Releases resources (native memory, files). Calling it twice is harmless. */
  close(): void;
}

/**
 * Convenience base class: owns the env's random stream (`npRandom`) with Gymnasium's seeding
 * rule, validates actions, and provides `unwrapped`.
 *
 * Subclasses call `this.reseed(options)` first in their `reset`, then draw from `this.npRandom`.
 */
export abstract class BaseEnv<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> implements Env<O, A> {
  abstract readonly observationSpace: Space;
  abstract readonly actionSpace: Space;
  spec?: EnvSpec;
  readonly metadata: Record<string, unknown> = {};
  private rng: Rng | null = null;

  /** The env's random stream; seeded by `reset({seed})`, from entropy if never seeded. */
  protected get npRandom(): Rng {
    if (this.rng === null) this.rng = Rng.fromEntropy();
    return this.rng;
  }

  get unwrapped(): Env {
    return this;
  }

  abstract reset(options?: ResetOptions): [O, Info];

  /** Applies Gymnasium's seeding rule; call it first in `reset`. */
  protected reseed(options: ResetOptions | undefined): void {
    if (options?.seed !== undefined) this.rng = new Rng(options.seed);
  }

  abstract step(action: A): StepResult<O>;

  close(): void {}

  /** Throws a clear error when `action` is not a valid action (wrong type or length, NaN, out of a Discrete range). */
  protected checkAction(action: unknown): asserts action is A {
    assertAction(this.actionSpace, action, this.spec?.id ?? this.constructor.name);
  }
}

/**
 * Checks an action against a space the way envs must before using it. Box actions may lie
 * outside the bounds (envs clip them, as Gymnasium's do) but must have the right length and be
 * finite; Discrete actions must be integers in range.
 */
export function assertAction(space: Space, action: unknown, where: string): void {
  if (space instanceof Discrete) {
    const why = space.explain(action);
    if (why !== null) throw new RangeError(`${where}: invalid action for ${space}: ${why}`);
    return;
  }
  if (space instanceof Box) {
    const isArray = action instanceof Float32Array || action instanceof Float64Array || Array.isArray(action);
    if (!isArray) throw new TypeError(`${where}: action must be a Float32Array of length ${space.size}, got ${typeof action === 'number' ? `the number ${action}` : typeof action}`);
    const a = action as ArrayLike<number>;
    if (a.length !== space.size) throw new RangeError(`${where}: action has length ${a.length}, the action space ${space} needs ${space.size}`);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new RangeError(`${where}: action entry ${i} is ${a[i]} (actions must be finite)`);
    }
  }
}
