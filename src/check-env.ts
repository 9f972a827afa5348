/**
 * checkEnv: checks a custom env the way Gymnasium's `check_env` does, before any training run
 * depends on it. It exercises the env (resets with seeds, a few hundred sampled steps across
 * episode boundaries, render, close twice) and throws an {@link EnvCheckError} at the first
 * broken rule, naming the env, the rule, expected vs actual, and the fix.
 *
 * The per-value rules live in src/env-validation.ts, shared with the PassiveEnvChecker that
 * `make` applies, so both report a problem identically.
 */
import type { Env, ResetOptions, StepResult } from './env.js';
import { checkResetReturn, checkSpaces, checkStepReturn, EnvCheckError, nameOf, type EnvCheckCode } from './env-validation.js';
import { Rng } from './rng.js';
import type { SpaceValue } from './spaces.js';
import { Wrapper } from './wrappers/wrapper.js';

export { EnvCheckError, type EnvCheckCode } from './env-validation.js';

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Seed of the seeding checks and of the sampled actions (default 0). */
  seed?: number;
  /** Sampled steps in the stepping check, resetting at each episode end (default 300). */
  steps?: number;
  /** Skip calling `render()` even if the env has it. */
  skipRenderCheck?: boolean;
  /** Skip calling `close()` twice (the env stays usable afterwards). */
  skipCloseCheck?: boolean;
}

/** What {@link checkEnv} found: the checks that passed and the warnings (problems that do not break the API). */
export interface CheckEnvReport {
  /** The env's spec id or class name. */
  env: string;
  /** One line per check that passed. */
  passed: string[];
  /** Things that work but are likely mistakes. */
  warnings: string[];
}

/** Steps compared between two runs from the same seed; one is Gymnasium's, a few catch more. */
const DETERMINISM_STEPS = 10;

/**
 * Checks that `env` follows the env API: valid spaces; `reset` returns `[obs, info]`; `step`
 * returns `[obs, reward, terminated, truncated, info]` with a finite number reward and boolean
 * flags; observations have the space's type and shape, are finite and inside the space; seeding
 * is reproducible; sampled actions step through episode boundaries; `render` returns a string;
 * `close` can be called twice. Closes the env unless `skipCloseCheck` is set.
 *
 * ```ts
 * const report = checkEnv(new GridWalk());
 * for (const w of report.warnings) console.warn(w);
 * ```
 *
 * @throws {EnvCheckError} at the first broken rule; its `check` field says which.
 */
export function checkEnv(env: Env, options: CheckEnvOptions = {}): CheckEnvReport {
  const seed = options.seed ?? 0;
  const steps = options.steps ?? 300;
  if (typeof env !== 'object' || env === null) {
    throw new EnvCheckError(String(env), 'env-type', `checkEnv was given ${env === null ? 'null' : typeof env}, expected an env object`, 'pass an instance (e.g. `new MyEnv()`), not the class or a factory');
  }
  const name = nameOf(env);
  const missing = (['reset', 'step', 'close'] as const).filter((m) => typeof (env as unknown as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new EnvCheckError(name, 'env-type', `the env has no ${missing.join(', ')} method${missing.length > 1 ? 's' : ''}`, 'implement the Env interface, most simply by extending BaseEnv');
  }
  const report: CheckEnvReport = { env: name, passed: [], warnings: [] };
  if (env instanceof Wrapper) {
    report.warnings.push(`${name}: the env is wrapped (${String(env)}); wrappers can hide problems of the env inside, so check the unwrapped env too`);
  }

  report.warnings.push(...checkSpaces(env, name));
  report.passed.push(`spaces: observation ${env.observationSpace}, action ${env.actionSpace}`);

  const reset = (opts?: ResetOptions): SpaceValue => {
    const label = opts?.seed === undefined ? 'reset()' : `reset({ seed: ${opts.seed} })`;
    const result = guard(name, 'reset-error', label, () => env.reset(opts));
    return copy(checkResetReturn(result, env.observationSpace, name, label)[0]);
  };
  reset({ seed });
  report.passed.push('reset returns [obs, info] with obs in observationSpace and info an object');

  checkSeeding(env, name, seed, reset, report);
  checkStepping(env, name, seed, steps, reset, report);

  // Wrapper.render always exists (it throws when the inner env has none), so ask the innermost env.
  const inner = env.unwrapped ?? env;
  if (!options.skipRenderCheck && typeof inner.render === 'function' && typeof env.render === 'function') {
    const frame = guard(name, 'render', 'render()', () => env.render!());
    if (typeof frame !== 'string') {
      throw new EnvCheckError(name, 'render', `render() returned ${frame === undefined ? 'undefined' : typeof frame}, expected a string`, 'return a text picture of the current state, or leave render undefined if there is none');
    }
    report.passed.push('render returns a string');
  }
  if (!options.skipCloseCheck) {
    guard(name, 'close', 'close()', () => env.close());
    guard(name, 'close', 'a second close()', () => env.close());
    report.passed.push('close can be called twice');
  }
  return report;
}

/** Same seed, same start and same first steps; an unseeded reset continues the seeded stream. */
function checkSeeding(env: Env, name: string, seed: number, reset: (o?: ResetOptions) => SpaceValue, report: CheckEnvReport): void {
  const nondeterministic = env.spec?.nondeterministic === true;
  const fail = (problem: string, fix: string): void => {
    if (nondeterministic) report.warnings.push(`${name}: ${problem} (allowed: the spec says nondeterministic)`);
    else throw new EnvCheckError(name, 'seeding', problem, fix);
  };
  const seedFix = 'call this.reseed(options) first in reset (BaseEnv) and draw every random number from this.npRandom, never from Math.random() or a generator created per reset';

  const first = reset({ seed });
  const again = reset({ seed });
  const diff = difference(first, again);
  if (diff !== null) fail(`reset({ seed: ${seed} }) twice gave different observations (${diff}), expected identical ones`, seedFix);

  const actions = sampleActions(env, seed, DETERMINISM_STEPS);
  const runA = rollout(env, name, seed, actions, reset);
  const runB = rollout(env, name, seed, actions, reset);
  for (let i = 0; i < Math.min(runA.length, runB.length); i++) {
    const d = stepDifference(runA[i], runB[i]);
    if (d !== null) {
      fail(`after reset({ seed: ${seed} }) the same actions gave different results at step ${i + 1} (${d}), expected identical ones`, `${seedFix}; the dynamics must depend only on the state and the action`);
      break;
    }
  }

  reset({ seed });
  const continued = reset();
  reset({ seed });
  const continuedAgain = reset();
  const cdiff = difference(continued, continuedAgain);
  if (cdiff !== null) {
    fail(`reset() after reset({ seed: ${seed} }) is not reproducible (${cdiff}): an unseeded reset must continue the seeded random stream`, 're-seed only when options.seed is given (BaseEnv.reseed does exactly this); never re-seed from the clock or entropy in reset');
  }

  // A start that no seed changes is legitimate (a fixed initial state), hence only a warning;
  // several seeds are tried because small Discrete spaces repeat by chance.
  const others = [1, 2, 3, 4].map((k) => reset({ seed: seed + k }));
  if (others.every((o) => difference(o, first) === null)) {
    report.warnings.push(`${name}: reset({ seed }) gives the same observation for seeds ${seed}..${seed + 4}; fine for a fixed start state, otherwise the env ignores its seed`);
  } else if (difference(continued, first) === null && typeof first !== 'number') {
    report.warnings.push(`${name}: reset() after reset({ seed: ${seed} }) repeated the seeded observation; it may re-seed with the last seed instead of continuing the stream`);
  }
  report.passed.push('seeding: same seed reproduces reset and first steps; reset() continues the stream');
}

/** Sampled steps across episode ends, each checked in full. */
function checkStepping(env: Env, name: string, seed: number, steps: number, reset: (o?: ResetOptions) => SpaceValue, report: CheckEnvReport): void {
  const rng = new Rng(seed).stream('check-env-actions');
  reset({ seed });
  let episodes = 0;
  let sinceReset = 0;
  for (let i = 0; i < steps; i++) {
    const [, , terminated, truncated] = step(env, name, env.actionSpace.sample(rng), ++sinceReset);
    if (terminated || truncated) {
      episodes++;
      sinceReset = 0;
      reset();
    }
  }
  const ends = episodes === 0 ? `no episode ended (fine for an env without a time limit; make adds TimeLimit from the spec)` : `${episodes} episode end${episodes > 1 ? 's' : ''} followed by reset()`;
  report.passed.push(`step: ${steps} sampled actions, every result a valid [obs, reward, terminated, truncated, info]; ${ends}`);
}

function step(env: Env, name: string, action: SpaceValue, n: number): StepResult {
  const result = guard(name, 'step-error', `step ${n} since the last reset (a sampled action)`, () => env.step(action));
  return checkStepReturn(result, env.observationSpace, name, n);
}

function sampleActions(env: Env, seed: number, n: number): SpaceValue[] {
  const rng = new Rng(seed).stream('check-env-determinism');
  return Array.from({ length: n }, () => env.actionSpace.sample(rng));
}

type Transition = [obs: SpaceValue, reward: number, terminated: boolean, truncated: boolean];

function rollout(env: Env, name: string, seed: number, actions: SpaceValue[], reset: (o?: ResetOptions) => SpaceValue): Transition[] {
  reset({ seed });
  const out: Transition[] = [];
  for (const a of actions) {
    // Actions are copied: an env may legitimately clip them in place.
    const [obs, reward, terminated, truncated] = step(env, name, copy(a), out.length + 1);
    out.push([copy(obs), reward, terminated, truncated]);
    if (terminated || truncated) break;
  }
  return out;
}

function stepDifference(a: Transition, b: Transition): string | null {
  const d = difference(a[0], b[0]);
  if (d !== null) return `observation ${d}`;
  if (a[1] !== b[1]) return `reward ${a[1]} vs ${b[1]}`;
  if (a[2] !== b[2]) return `terminated ${a[2]} vs ${b[2]}`;
  if (a[3] !== b[3]) return `truncated ${a[3]} vs ${b[3]}`;
  return null;
}

/** Null when equal, else where they first differ. */
function difference(a: SpaceValue, b: SpaceValue): string | null {
  if (typeof a === 'number' || typeof b === 'number') return a === b ? null : `${String(a)} vs ${String(b)}`;
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `entry ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

// Envs may reuse one observation buffer across calls; comparisons need snapshots.
function copy(x: SpaceValue): SpaceValue {
  return typeof x === 'number' ? x : x.slice();
}

/** Runs an env call, turning a throw into an EnvCheckError that says which call failed. */
function guard<T>(name: string, code: EnvCheckCode, label: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EnvCheckError) throw e;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new EnvCheckError(name, code, `${label} threw ${what}`, 'see the cause (error.cause) for the stack; the checker only passes seeds and actions sampled from actionSpace, which the env must accept', { cause: e });
  }
}
