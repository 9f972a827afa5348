/**
 * Training extensions: what turns the plain RL loop into something else (GAIL) without the loop or
 * the learner knowing. An extension may
 * - replace the loop's stored rewards by its own, recomputed whenever the buffer is sampled
 *   (`rewardFn`, over every row of every n-step window);
 * - store transitions itself (`store`: e.g. extra absorbing-state rows, or side data per row);
 * - train its own networks after each learner update (`afterUpdate`: the discriminator);
 * - add monitoring values to each metrics row (`beforeLogRow`);
 * and it saves and restores its whole state with each checkpoint, so a run resumes exactly.
 *
 * Extensions are registered by name (agents/gail registers 'gail'); the loop config names one in
 * `extension: { name, config }`, so a run's config.json says how to rebuild it on resume.
 */
import type { ReplayBuffer, RewardFn } from '../buffer.js';
import type { Learner, UpdateMetrics } from '../learner.js';
import type { Rng } from '../rng.js';
import type { EvalResult } from './checkpoint.js';
import type { LoopConfig } from './config.js';

/** One env step as the loop would store it. */
export interface StepTransition {
  obs: Float32Array;
  action: Float32Array;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
}

export interface TrainingExtension {
  /** Recomputes rewards at sampling time; the env's rewards are then ignored by the learner. */
  readonly rewardFn?: RewardFn;
  /** Sample with the paper code's n-step terminal quirk (src/buffer.ts `paperNStepQuirk`). */
  readonly paperNStepQuirk?: boolean;
  /** Stores one env step in `buffer` (default: `buffer.add` of the step as is). */
  store?(buffer: ReplayBuffer, step: StepTransition): void;
  /** Called after each learner update; returns metrics for metrics.csv (one backend read at most). */
  afterUpdate?(buffer: ReplayBuffer): UpdateMetrics;
  /** Called before each metrics.csv row; returns monitoring values for that row. */
  beforeLogRow?(buffer: ReplayBuffer, learner: Learner): UpdateMetrics;
  /** Extra eval.csv columns for an evaluation (e.g. the normalized score), and a line to print. */
  evalExtras?(result: EvalResult): { columns: Record<string, number>; message?: string };
  /** Writes everything needed to resume exactly into `dir`. */
  saveState(dir: string): Promise<void>;
  /** Restores what {@link TrainingExtension.saveState} wrote. */
  loadState(dir: string): Promise<void>;
  dispose(): void;
}

/** What an extension factory receives. */
export interface ExtensionContext {
  /** The run's resolved loop config (env id, γ, n-step, buffer size, ...). */
  config: LoopConfig;
  /** Sizes of the learner's observations and actions. */
  obsDim: number;
  actDim: number;
  /** The extension's own random stream (its state is the extension's to save). */
  rng: Rng;
}

export interface ExtensionEntry<C = unknown> {
  name: string;
  description: string;
  /** Validates a (partial) config and fills defaults; throws naming the bad key. */
  parseConfig(config: unknown): C;
  /**
   * Loop and learner defaults for running this extension with algorithm `algo` on `envId` (a
   * partial loop config, as AlgorithmEntry.tunedDefaults), or undefined.
   */
  tunedDefaults?(algo: string, envId: string): Record<string, unknown> | undefined;
  create(config: C, context: ExtensionContext): Promise<TrainingExtension>;
}

const extensions = new Map<string, ExtensionEntry>();

/** Makes an extension available by name to loop configs (`extension: { name, config }`). */
export function registerExtension<C>(entry: ExtensionEntry<C>): void {
  if (extensions.has(entry.name)) throw new Error(`training extension '${entry.name}' is already registered`);
  extensions.set(entry.name, entry as ExtensionEntry);
}

/** The extension registered as `name`; the error lists the registered ones. */
export function trainingExtension(name: string): ExtensionEntry {
  const e = extensions.get(name);
  if (e === undefined) {
    const known = [...extensions.keys()].sort();
    throw new Error(`unknown training extension '${name}'; registered: ${known.length > 0 ? known.join(', ') : 'none (import agents/ first)'}`);
  }
  return e;
}
