/**
 * SyncVectorEnv: n copies of an env stepped one after the other in this thread, with batched
 * inputs and outputs, as Gymnasium's `SyncVectorEnv`.
 *
 * Batches are flat typed arrays, row i belonging to env i:
 * - observations: one Float32Array of n × obsSize (a Discrete observation is one float);
 * - actions: a Float32Array of n × actSize for Box action spaces, n numbers for Discrete ones;
 * - rewards: Float64Array of n; terminated and truncated: boolean[] of n; infos: one object per env.
 * Every call returns fresh arrays, so a caller may keep them.
 *
 * Seeding follows Gymnasium: `reset({ seed })` resets env i with seed + i (or with `seed[i]` when
 * an array is given); a reset without a seed continues each env's stream.
 *
 * Autoreset, after env i's episode ends (terminated or truncated):
 * - `'same-step'` (default here): env i is reset inside that same `step`. The returned row i is
 *   the new episode's first observation; `infos[i]` holds the reset's info plus `finalObs` (the
 *   terminal observation, as the env returned it) and `finalInfo` (the terminal step's info).
 *   Every step is then a real transition (obs_t, a_t → finalObs ?? next obs): exactly what an
 *   off-policy replay buffer stores, which is why it is this library's default (SB3's VecEnv does
 *   the same with `terminal_observation`).
 * - `'next-step'` (Gymnasium's default): the step that ends the episode returns the terminal
 *   observation; the *following* `step` ignores env i's action, resets it and returns the reset
 *   observation with reward 0, terminated = truncated = false and the reset's info. A buffer must
 *   skip that row, since it is no transition.
 */
import { assertAction, type Env, type Info } from '../env.js';
import { assertSeed } from '../rng.js';
import { Discrete, flatDim, type Space, type SpaceValue } from '../spaces.js';

/** When a finished sub-env is reset: see {@link SyncVectorEnv}. */
export type AutoresetMode = 'same-step' | 'next-step';

/** Options of {@link SyncVectorEnv}. */
export interface SyncVectorEnvOptions {
  /** Default `'same-step'`. */
  autoresetMode?: AutoresetMode;
}

/** Arguments of {@link SyncVectorEnv.reset}. */
export interface VectorResetOptions {
  /** Env i gets seed + i; or one seed (or undefined) per env. */
  seed?: number | readonly (number | undefined)[];
  /** Passed to every env's reset. */
  options?: Record<string, unknown>;
}

/** What {@link SyncVectorEnv.step} returns. */
export type VectorStepResult = [obs: Float32Array, rewards: Float64Array, terminated: boolean[], truncated: boolean[], infos: Info[]];

export class SyncVectorEnv {
  readonly envs: readonly Env[];
  readonly numEnvs: number;
  readonly autoresetMode: AutoresetMode;
  /** The space of one env's observation (all envs share it). */
  readonly singleObservationSpace: Space;
  /** The space of one env's action (all envs share it). */
  readonly singleActionSpace: Space;
  /** Floats per env in the observation batch. */
  readonly obsSize: number;
  /** Floats per env in the action batch (1 for Discrete). */
  readonly actSize: number;
  private readonly needsReset: boolean[];
  private hasReset = false;
  private closed = false;

  /** @param factories one function per sub-env, called once with its index. */
  constructor(factories: readonly ((index: number) => Env)[], options: SyncVectorEnvOptions = {}) {
    if (!Array.isArray(factories) || factories.length === 0) throw new RangeError('SyncVectorEnv: needs a non-empty array of env factories');
    const mode = options.autoresetMode ?? 'same-step';
    if (mode !== 'same-step' && mode !== 'next-step') throw new RangeError(`SyncVectorEnv: autoresetMode must be 'same-step' or 'next-step', got ${JSON.stringify(mode)}`);
    this.autoresetMode = mode;
    this.envs = factories.map((f, i) => {
      if (typeof f !== 'function') throw new TypeError(`SyncVectorEnv: factory ${i} is ${typeof f}, not a function`);
      return f(i);
    });
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    const key = (s: Space) => JSON.stringify(s.toJSON());
    this.envs.forEach((env, i) => {
      // Rows of one batch must mean the same thing, or a policy would act on mixed layouts.
      if (key(env.observationSpace) !== key(this.singleObservationSpace) || key(env.actionSpace) !== key(this.singleActionSpace)) {
        throw new TypeError(
          `SyncVectorEnv: env ${i} has spaces ${String(env.observationSpace)} / ${String(env.actionSpace)}, env 0 has ${String(this.singleObservationSpace)} / ${String(this.singleActionSpace)}; all must match`,
        );
      }
    });
    this.obsSize = flatDim(this.singleObservationSpace);
    this.actSize = flatDim(this.singleActionSpace);
    this.needsReset = new Array<boolean>(this.numEnvs).fill(false);
  }

  /** Resets every env; returns the observation batch and one info per env. */
  reset(options: VectorResetOptions = {}): [Float32Array, Info[]] {
    this.assertOpen();
    const seeds = this.seeds(options.seed);
    const obs = new Float32Array(this.numEnvs * this.obsSize);
    const infos = this.envs.map((env, i) => {
      const [o, info] = env.reset({ seed: seeds[i], options: options.options });
      this.write(obs, i, o);
      return info;
    });
    this.needsReset.fill(false);
    this.hasReset = true;
    return [obs, infos];
  }

  /** Steps every env with its row of `actions` (autoresetting finished ones, see the class doc). */
  step(actions: ArrayLike<number>): VectorStepResult {
    this.assertOpen();
    if (!this.hasReset) throw new Error('SyncVectorEnv: step() called before reset(); call reset() first');
    const expected = this.numEnvs * this.actSize;
    if (actions?.length !== expected) {
      throw new RangeError(`SyncVectorEnv: got ${String(actions?.length)} action values, expected ${expected} (${this.numEnvs} envs × ${this.actSize})`);
    }
    const n = this.numEnvs;
    const obs = new Float32Array(n * this.obsSize);
    const rewards = new Float64Array(n);
    const terminated = new Array<boolean>(n).fill(false);
    const truncated = new Array<boolean>(n).fill(false);
    const infos: Info[] = new Array<Info>(n);
    for (let i = 0; i < n; i++) {
      const env = this.envs[i];
      if (this.needsReset[i]) {
        // next-step mode only: this row's action belongs to no state, so it is not used.
        const [o, info] = env.reset();
        this.write(obs, i, o);
        infos[i] = info;
        this.needsReset[i] = false;
        continue;
      }
      const [o, r, term, trunc, info] = env.step(this.action(actions, i));
      rewards[i] = r;
      terminated[i] = term;
      truncated[i] = trunc;
      if ((term || trunc) && this.autoresetMode === 'same-step') {
        const [o2, resetInfo] = env.reset();
        this.write(obs, i, o2);
        infos[i] = { ...resetInfo, finalObs: o, finalInfo: info };
      } else {
        this.write(obs, i, o);
        infos[i] = info;
        this.needsReset[i] = term || trunc;
      }
    }
    return [obs, rewards, terminated, truncated, infos];
  }

  /** Closes every env; later calls do nothing, and reset/step then throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const env of this.envs) env.close();
  }

  private action(actions: ArrayLike<number>, i: number): SpaceValue {
    if (this.singleActionSpace instanceof Discrete) return actions[i];
    const a = new Float32Array(this.actSize);
    for (let j = 0; j < this.actSize; j++) a[j] = actions[i * this.actSize + j];
    assertAction(this.singleActionSpace, a, `SyncVectorEnv env ${i}`);
    return a;
  }

  private write(batch: Float32Array, i: number, o: SpaceValue): void {
    if (typeof o === 'number') {
      batch[i * this.obsSize] = o;
      return;
    }
    if (o?.length !== this.obsSize) throw new RangeError(`SyncVectorEnv: env ${i} returned an observation of length ${String(o?.length)}, expected ${this.obsSize}`);
    batch.set(o, i * this.obsSize);
  }

  private seeds(seed: VectorResetOptions['seed']): (number | undefined)[] {
    if (seed === undefined) return new Array<undefined>(this.numEnvs).fill(undefined);
    if (typeof seed === 'number') {
      assertSeed(seed, 'SyncVectorEnv.reset: seed');
      return this.envs.map((_, i) => seed + i);
    }
    if (!Array.isArray(seed) || seed.length !== this.numEnvs) {
      throw new RangeError(`SyncVectorEnv.reset: a seed list needs ${this.numEnvs} entries (one per env), got ${Array.isArray(seed) ? seed.length : typeof seed}`);
    }
    seed.forEach((s, i) => s === undefined || assertSeed(s, `SyncVectorEnv.reset: seed[${i}]`));
    return [...seed];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SyncVectorEnv: the vector env is closed');
  }
}
