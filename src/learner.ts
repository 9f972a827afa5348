/**
 * The contract between the replay buffer, the learners (agents/) and the training loop
 * (src/train/): what a sampled batch holds, what a learner must do, and how algorithms are made
 * available by name. src/ defines it; agents/ implements and registers it; the loop only ever
 * sees this interface, so it never imports an algorithm (design.md: imports point one way).
 */
import type { Rng } from './rng.js';

/**
 * A batch sampled from the replay buffer: flat row-major Float32Arrays, row i one sample.
 *
 * With n-step returns the buffer has already folded the window: `rewards[i]` is
 * Σ_{j<k} γ^j r_{t+j} over the k ≤ n steps kept, `nextObs` the observation after those k steps,
 * `discounts[i]` = γ^k, and `dones[i]` = 1 when the window ended on a true termination (no
 * bootstrap). A learner's target is therefore always
 * `y = rewards + discounts · (1 − dones) · V(nextObs)`, whatever n is, and the learner needs no γ.
 */
export interface Batch {
  readonly size: number;
  readonly obsDim: number;
  readonly actDim: number;
  /** [size × obsDim] */
  readonly obs: Float32Array;
  /** [size × actDim], in the learner's action scale [−1, 1]. */
  readonly actions: Float32Array;
  /** [size] */
  readonly rewards: Float32Array;
  /** [size × obsDim] */
  readonly nextObs: Float32Array;
  /** [size]: 1 where the target must not bootstrap. */
  readonly dones: Float32Array;
  /** [size]: γ^k of each sample's window. */
  readonly discounts: Float32Array;
  /** [size]: the buffer rows sampled (for diagnostics and reward recomputation). */
  readonly indices: Int32Array;
}

/** Checks a batch's dims and array lengths against a learner's; the error names `where` and the field. */
export function assertBatch(batch: Batch, obsDim: number, actDim: number, where: string): void {
  if (batch.obsDim !== obsDim || batch.actDim !== actDim) {
    throw new Error(`${where}: batch has obsDim ${batch.obsDim}, actDim ${batch.actDim}; the learner has ${obsDim}, ${actDim}`);
  }
  const n = batch.size;
  if (!(n > 0)) throw new Error(`${where}: empty batch`);
  const sizes: [string, number, number][] = [
    ['obs', batch.obs.length, n * obsDim],
    ['actions', batch.actions.length, n * actDim],
    ['nextObs', batch.nextObs.length, n * obsDim],
    ['rewards', batch.rewards.length, n],
    ['dones', batch.dones.length, n],
    ['discounts', batch.discounts.length, n],
  ];
  for (const [field, got, want] of sizes) {
    if (got !== want) throw new Error(`${where}: batch.${field} has ${got} values, expected ${want}`);
  }
}

/** Scalar training metrics of one update (losses, α, ...), already read from the backend. */
export type UpdateMetrics = Record<string, number>;

/**
 * An off-policy learner. Actions are in [−1, 1]^actDim: the loop rescales them onto the env's Box
 * (RescaleAction), so learners never see env bounds.
 */
export interface Learner {
  /** Algorithm name, e.g. 'sac'. */
  readonly algo: string;
  readonly obsDim: number;
  readonly actDim: number;
  /**
   * One action for one observation: `explore` adds the algorithm's exploration (SAC samples its
   * Gaussian, TD3 adds action or parameter noise); `deterministic` is the evaluation policy.
   */
  act(obs: Float32Array, mode: 'explore' | 'deterministic'): Float32Array;
  /** One gradient step of every network on `batch`; returns its metrics with one sync at most. */
  update(batch: Batch): UpdateMetrics;
  /** Called at each episode start: re-draw parameter noise, reset OU processes. */
  onEpisodeStart(): void;
  /** Everything needed to resume exactly: weights, optimizer states, counters, random streams. */
  saveState(dir: string): Promise<void>;
  /** Restores what {@link Learner.saveState} wrote (the learner must have the same config). */
  loadState(dir: string): Promise<void>;
  /** Writes the deterministic policy alone (for `imitate eval` / `imitate collect`). */
  savePolicy(dir: string): Promise<void>;
  /** Frees every tensor. */
  dispose(): void;
}

/** What an algorithm factory receives. */
export interface LearnerContext {
  obsDim: number;
  actDim: number;
  /** The learner's own stream (weight init, noise, tfjs op seeds derive from it). */
  rng: Rng;
}

/** An algorithm available by name to `imitate train --algo NAME`. */
export interface AlgorithmEntry<C = unknown> {
  name: string;
  description: string;
  /** Validates a (partial) config and fills defaults; throws naming the bad key. */
  parseConfig(config: unknown): C;
  create(config: C, context: LearnerContext): Learner;
  /**
   * Tuned defaults for an env (a partial loop + learner config, e.g.
   * `{ learningStarts: 10000, learner: { lr: 1e-3 } }`), applied over the built-in defaults and
   * under `--config` and `--set`; undefined or `{}` when none are known.
   */
  tunedDefaults?(envId: string): Record<string, unknown>;
}

const algorithms = new Map<string, AlgorithmEntry>();

/** Makes an algorithm available by name (agents/index.ts registers SAC and TD3). */
export function registerAlgorithm<C>(entry: AlgorithmEntry<C>): void {
  if (algorithms.has(entry.name)) throw new Error(`algorithm '${entry.name}' is already registered`);
  algorithms.set(entry.name, entry as AlgorithmEntry);
}

/** The algorithm registered as `name`; the error lists the registered ones. */
export function algorithm(name: string): AlgorithmEntry {
  const a = algorithms.get(name);
  if (a === undefined) {
    const known = [...algorithms.keys()].sort();
    throw new Error(`unknown algorithm '${name}'; registered: ${known.length > 0 ? known.join(', ') : 'none (import agents/ first)'}`);
  }
  return a;
}

/** Names of the registered algorithms. */
export function registeredAlgorithms(): string[] {
  return [...algorithms.keys()].sort();
}
