/**
 * The contract of offline imitation from demonstrations (behavioural cloning): a cloner fits a
 * policy to (observation, action) pairs and saves it as a policy `imitate eval` and
 * `imitate collect` load. src/ defines it and the `imitate bc` command uses it; agents/ implements
 * and registers it (agents/bc.ts), so src/ never imports an algorithm (design.md).
 */
import type { Rng } from './rng.js';

/** What a cloner fits: flat rows, actions in the learner's [−1, 1] (demos' toTransitions gives this). */
export interface CloningData {
  readonly size: number;
  readonly obsDim: number;
  readonly actDim: number;
  /** [size × obsDim] */
  readonly obs: Float32Array;
  /** [size × actDim], in [−1, 1]. */
  readonly actions: Float32Array;
}

/** The loss of a fit, every `logEvery` gradient steps and at the end. */
export interface CloningProgress {
  step: number;
  loss: number;
}

/** A policy being fitted by an offline method. */
export interface Cloner {
  readonly name: string;
  readonly obsDim: number;
  readonly actDim: number;
  /** Fits the policy to `data`; `onProgress` receives the loss as it goes. Returns the final loss. */
  fit(data: CloningData, options?: { onProgress?: (p: CloningProgress) => void }): CloningProgress;
  /** The deterministic action for one observation, in [−1, 1]^actDim. */
  act(obs: Float32Array): Float32Array;
  /** Writes the policy (src/nn/policy.ts's format). */
  savePolicy(dir: string): Promise<void>;
  dispose(): void;
}

/** What a cloner factory receives. */
export interface ClonerContext {
  obsDim: number;
  actDim: number;
  /** The cloner's own stream (weight init, minibatches). */
  rng: Rng;
}

/** An offline method available by name to `imitate bc`. */
export interface ClonerEntry<C = unknown> {
  name: string;
  description: string;
  /** Validates a (partial) config and fills defaults; throws naming the bad key. */
  parseConfig(config: unknown): C;
  create(config: C, context: ClonerContext): Cloner;
}

const cloners = new Map<string, ClonerEntry>();

/** Makes an offline method available by name (agents/index.ts registers BC). */
export function registerCloner<C>(entry: ClonerEntry<C>): void {
  if (cloners.has(entry.name)) throw new Error(`cloner '${entry.name}' is already registered`);
  cloners.set(entry.name, entry as ClonerEntry);
}

/** The offline method registered as `name`; the error lists the registered ones. */
export function cloner(name: string): ClonerEntry {
  const c = cloners.get(name);
  if (c === undefined) {
    const known = [...cloners.keys()].sort();
    throw new Error(`unknown cloner '${name}'; registered: ${known.length > 0 ? known.join(', ') : 'none (import agents/ first)'}`);
  }
  return c;
}

/** Names of the registered offline methods. */
export function registeredCloners(): string[] {
  return [...cloners.keys()].sort();
}
