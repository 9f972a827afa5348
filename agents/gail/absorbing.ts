/**
 * Absorbing states for GAIL (paper §1.5), in the coordinates of src/wrappers/absorbing-state.ts:
 * observations and actions get one flag coordinate, 0 for real ones; s_abs = (0,…,0,1) and
 * a_abs = (0,…,0,1).
 *
 * Why the env is not wrapped in AbsorbingState itself: the actor and critic must see the original,
 * unflagged (s, a, s') (the paper's code; Q is never evaluated on s_abs), while the discriminator
 * and the reward see the flagged vectors. So the replay buffer keeps learner-side rows, and this
 * book keeps one *kind* per buffer row, from which the discriminator's flagged vectors are rebuilt
 * exactly as AbsorbingState defines them:
 * - `normal`:       (s⊕0, a⊕0 → s'⊕0)
 * - `toAbsorbing`:  (s⊕0, a⊕0 → s_abs)    stored instead of a truly terminal transition ...
 * - `absorbing`:    (s_abs, a_abs → s_abs) ... followed by this one;
 * both with terminated = 1 and the original terminal (s, a, s') as their learner-side row, so the
 * critic regresses Q(s_T−1, a_T−1) on the two rewards without bootstrap. Time-limit endings are
 * not wrapped (the critic bootstraps through them).
 */
import type { ReplayBuffer } from '../../src/buffer.js';
import type { StepTransition } from '../../src/train/extension.js';

export const ROW_NORMAL = 0;
export const ROW_TO_ABSORBING = 1;
export const ROW_ABSORBING = 2;
export type RowKind = typeof ROW_NORMAL | typeof ROW_TO_ABSORBING | typeof ROW_ABSORBING;

/** How the discriminator's input rows are laid out. */
export interface InputLayout {
  /** Learner-side sizes. */
  obsDim: number;
  actDim: number;
  /** Flags on (absorbing states). */
  absorbing: boolean;
  /** D(s, s') instead of D(s, a). */
  stateOnly: boolean;
}

/** Sizes of the discriminator's two input parts. */
export function inputDims(l: InputLayout): { obsDim: number; actDim: number } {
  const f = l.absorbing ? 1 : 0;
  return { obsDim: l.obsDim + f, actDim: l.actDim + f };
}

/** Width of one discriminator input row. */
export function inputWidth(l: InputLayout): number {
  const d = inputDims(l);
  return d.obsDim + (l.stateOnly ? d.obsDim : d.actDim);
}

/**
 * Writes the discriminator input rows of `count` learner-side transitions into `out`
 * ([count × inputWidth]); `kind(i)` gives row i's kind (always `normal` without absorbing states).
 */
export function discriminatorInputs(
  l: InputLayout,
  obs: Float32Array,
  actions: Float32Array,
  nextObs: Float32Array,
  count: number,
  kind: (i: number) => number,
  out: Float32Array = new Float32Array(count * inputWidth(l)),
): Float32Array {
  const { obsDim: o, actDim: a } = l;
  const f = l.absorbing ? 1 : 0;
  const w = inputWidth(l);
  const second = l.stateOnly ? o : a;
  for (let i = 0; i < count; i++) {
    const base = i * w;
    const k = l.absorbing ? kind(i) : ROW_NORMAL;
    if (k === ROW_ABSORBING) {
      out.fill(0, base, base + w);
      out[base + o] = 1;
      out[base + w - 1] = 1;
      continue;
    }
    for (let j = 0; j < o; j++) out[base + j] = obs[i * o + j];
    if (f) out[base + o] = 0;
    const at = base + o + f;
    if (k === ROW_TO_ABSORBING && l.stateOnly) {
      out.fill(0, at, at + second);
      out[at + second] = 1;
      continue;
    }
    const src = l.stateOnly ? nextObs : actions;
    for (let j = 0; j < second; j++) out[at + j] = src[i * second + j];
    if (f) out[at + second] = 0;
  }
  return out;
}

/** The kind of each replay-buffer row, kept in step with the buffer's ring. */
export class AbsorbingBook {
  readonly kinds: Uint8Array;

  /**
   * @param enabled store the absorbing pair on true terminations
   * @param timeLimitTerminal store time-limit endings as terminations (the paper's code), unwrapped
   */
  constructor(capacity: number, readonly enabled: boolean, readonly timeLimitTerminal = false) {
    this.kinds = new Uint8Array(capacity);
  }

  /** Stores one env step: one row, or two (to-absorbing, absorbing) on a true termination. */
  store(buffer: ReplayBuffer, t: StepTransition): void {
    if (this.enabled && t.terminated && !t.truncated) {
      this.kinds[buffer.position] = ROW_TO_ABSORBING;
      buffer.add(t.obs, t.action, t.reward, t.nextObs, true, false);
      this.kinds[buffer.position] = ROW_ABSORBING;
      buffer.add(t.obs, t.action, t.reward, t.nextObs, true, false);
      return;
    }
    this.kinds[buffer.position] = ROW_NORMAL;
    if (this.timeLimitTerminal && t.truncated) buffer.add(t.obs, t.action, t.reward, t.nextObs, true, false);
    else buffer.add(t.obs, t.action, t.reward, t.nextObs, t.terminated, t.truncated);
  }
}

/**
 * Expert transitions with the absorbing pair in place of each truly terminal one: returns the row
 * indices into the expert arrays and each output row's kind.
 */
export function expertRows(terminated: Uint8Array, absorbing: boolean): { source: Int32Array; kinds: Uint8Array } {
  const source: number[] = [];
  const kinds: number[] = [];
  terminated.forEach((t, i) => {
    if (absorbing && t === 1) {
      source.push(i, i);
      kinds.push(ROW_TO_ABSORBING, ROW_ABSORBING);
    } else {
      source.push(i);
      kinds.push(ROW_NORMAL);
    }
  });
  return { source: Int32Array.from(source), kinds: Uint8Array.from(kinds) };
}
