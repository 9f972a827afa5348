/**
 * AbsorbingState: DAC-style absorbing states for adversarial imitation (Kostrikov et al. 2019; the
 * paper's §1.5).
 *
 * Why: a GAIL reward learned on fixed-length expert episodes says nothing about what happens
 * after an early termination, so a positive (or negative) reward biases the agent towards
 * surviving (or dying). Making termination lead to an explicit absorbing state, on which the
 * discriminator is trained like any other state, lets the reward price termination itself.
 *
 * What the wrapper does:
 * - Every observation gets one extra flag coordinate, 0 for real states: the agent sees s⊕0. The
 *   observation space is the env's Box with one more dimension whose bounds are [0, 1].
 * - The action space is unchanged: the agent acts with the env's own actions.
 * - On a *true* termination, `terminated && !truncated`, the step's info carries
 *   `absorbing: [first, second]` ({@link AbsorbingTransitions}):
 *   `first  = (s⊕0,  a⊕0  → s_abs)` and `second = (s_abs, a_abs → s_abs)`, where s is the
 *   observation the action was taken from, s_abs = (0,…,0,1) and a_abs = (0,…,0,1).
 *   Truncations (time limits), also when they coincide with a termination, get nothing.
 *
 * How a collector uses it, for each step (s⊕0, a) → (s'⊕0, r, terminated, truncated, info):
 * 1. If `info.absorbing` is absent, store the ordinary transition (s⊕0, a⊕0 → s'⊕0) with
 *    done = terminated, as usual ({@link wrapAction} gives a⊕0).
 * 2. If it is present, store its two transitions *instead of* the ordinary one, both with
 *    done = 1. The discriminator and the reward see these wrapped vectors, absorbing ones
 *    included. The actor and critic never see an absorbing state: for both rows they use the
 *    original terminal transition (stripFlag(s⊕0), a, stripFlag(s'⊕0)), so the critic regresses
 *    Q(s, a) on the two rewards without bootstrapping (paper §1.5; DAC instead bootstraps
 *    Q(s_abs) onto itself).
 * 3. Learners that must not see the flag (policy, critic, observation normaliser) call
 *    {@link stripFlag} on observations; {@link isAbsorbing} tells absorbing rows apart.
 * Expert demonstrations are wrapped the same way with {@link wrapObs} / {@link wrapAction},
 * and get the two absorbing transitions only when they end by a true termination.
 */
import type { Env, Info, ResetOptions, StepResult } from '../env.js';
import { Box, type Space, type SpaceValue } from '../spaces.js';
import { envName, Wrapper } from './wrapper.js';

/** One transition to store, in the wrapped (flagged) coordinates. */
export interface AbsorbingTransition {
  obs: Float32Array;
  action: Float32Array;
  nextObs: Float32Array;
}

/** What `info.absorbing` holds on a true termination: (s⊕0, a⊕0 → s_abs), (s_abs, a_abs → s_abs). */
export type AbsorbingTransitions = [toAbsorbing: AbsorbingTransition, selfLoop: AbsorbingTransition];

/** The absorbing observation for an env observation of `dim` entries: length dim + 1, (0,…,0,1). */
export function absorbingObs(dim: number): Float32Array {
  return flagged(dim, 'absorbingObs');
}

/** The absorbing action for an env action of `dim` entries: length dim + 1, (0,…,0,1). */
export function absorbingAction(dim: number): Float32Array {
  return flagged(dim, 'absorbingAction');
}

/** `x ⊕ 0`: a real (non-absorbing) observation with its flag appended. */
export function wrapObs(obs: ArrayLike<number>): Float32Array {
  const out = new Float32Array(obs.length + 1);
  out.set(obs);
  return out;
}

/** `a ⊕ 0`: a real action with its flag appended. */
export function wrapAction(action: ArrayLike<number>): Float32Array {
  return wrapObs(action);
}

/** A wrapped observation (or action) without its flag coordinate, as a new array. */
export function stripFlag(x: Float32Array): Float32Array {
  if (x.length === 0) throw new RangeError('stripFlag: got an empty array; a wrapped vector has at least the flag');
  return x.slice(0, x.length - 1);
}

/** Whether a wrapped observation (or action) is the absorbing one (its flag is 1). */
export function isAbsorbing(x: Float32Array): boolean {
  return x.length > 0 && x[x.length - 1] === 1;
}

export class AbsorbingState extends Wrapper<Float32Array, Float32Array, SpaceValue, SpaceValue> {
  /** Size of the env's own observation (the wrapped one has one more entry). */
  readonly obsDim: number;
  /** Size of the env's action (absorbing actions have one more entry). */
  readonly actionDim: number;
  private readonly space: Box;
  private lastObs: Float32Array | null = null;

  /** `env` may be typed loosely (as `make` returns it); both its spaces must be Boxes. */
  constructor(env: Env) {
    super(env);
    const where = `AbsorbingState(${envName(env)})`;
    const obsSpace = env.observationSpace;
    const actSpace = env.actionSpace;
    if (!(obsSpace instanceof Box) || obsSpace.shape.length !== 1) {
      throw new TypeError(`${where}: needs a one-dimensional Box observation space to append the flag to, got ${String(obsSpace)}`);
    }
    if (!(actSpace instanceof Box)) throw new TypeError(`${where}: needs a Box action space (a_abs is a vector), got ${String(actSpace)}`);
    this.obsDim = obsSpace.size;
    this.actionDim = actSpace.size;
    const low = [...obsSpace.low, 0];
    const high = [...obsSpace.high, 1];
    this.space = new Box(low, high, [this.obsDim + 1]);
  }

  override get observationSpace(): Space {
    return this.space;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    const [obs, info] = super.reset(options);
    this.lastObs = wrapObs(obs);
    return [this.lastObs, info];
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    if (this.lastObs === null) throw new Error(`${envName(this)}: step() called before reset(); call reset() first`);
    const from = this.lastObs;
    const [obs, reward, terminated, truncated, info] = super.step(action);
    this.lastObs = wrapObs(obs);
    if (!terminated || truncated) return [this.lastObs, reward, terminated, truncated, info];
    const sAbs = absorbingObs(this.obsDim);
    const absorbing: AbsorbingTransitions = [
      { obs: from.slice(), action: wrapAction(action), nextObs: sAbs },
      { obs: sAbs.slice(), action: absorbingAction(this.actionDim), nextObs: sAbs.slice() },
    ];
    // A new info object, so an env that reuses its info between steps is not mutated.
    return [this.lastObs, reward, terminated, truncated, { ...info, absorbing }];
  }
}

function flagged(dim: number, where: string): Float32Array {
  if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`${where}: dim must be a non-negative integer (the unwrapped size), got ${dim}`);
  const out = new Float32Array(dim + 1);
  out[dim] = 1;
  return out;
}
