/**
 * The checks shared by {@link checkEnv} (src/check-env.ts) and the PassiveEnvChecker wrapper
 * that `make` applies: one definition of each rule, so that both report a broken env with the
 * same {@link EnvCheckError} code and message.
 */
import type { Env, Info, StepResult } from './env.js';
import { Box, describe as describeValue, Discrete, type Space, type SpaceValue } from './spaces.js';

/** Which rule an env broke; stable identifiers, safe to match in code and tests. */
export type EnvCheckCode =
  | 'env-type'
  | 'observation-space'
  | 'action-space'
  | 'box-bounds'
  | 'reset-error'
  | 'reset-return'
  | 'step-error'
  | 'step-return'
  | 'obs-type'
  | 'obs-shape'
  | 'nan-obs'
  | 'obs-space'
  | 'reward-type'
  | 'nan-reward'
  | 'terminated-type'
  | 'truncated-type'
  | 'info-type'
  | 'seeding'
  | 'render'
  | 'close';

/** A broken env: `check` says which rule, the message names the env, expected vs actual, and the fix. */
export class EnvCheckError extends Error {
  override name = 'EnvCheckError';
  /** The rule that failed. */
  readonly check: EnvCheckCode;
  /** The env's spec id or class name. */
  readonly env: string;

  constructor(env: string, check: EnvCheckCode, problem: string, fix: string, options?: { cause?: unknown }) {
    super(`${env} failed check '${check}': ${problem}. Fix: ${fix}`, options);
    this.check = check;
    this.env = env;
  }
}

/** {@link describeValue} with a readable `undefined` (a missing tuple entry is the usual case). */
function describe(x: unknown): string {
  return x === undefined ? 'undefined' : describeValue(x);
}

/** The name used in messages: the registered id, else the innermost env's class name. */
export function nameOf(env: Env): string {
  const spec = (env as Partial<Env>).spec;
  if (spec?.id !== undefined) return spec.id;
  const inner = (env as Partial<Env>).unwrapped ?? env;
  return (inner as object).constructor?.name ?? 'env';
}

/**
 * Checks that both spaces are built-in spaces with sane bounds. Returns warnings (unbounded or
 * degenerate action dimensions) that do not break the env but usually hurt learning.
 */
export function checkSpaces(env: Env, name: string): string[] {
  const warnings: string[] = [];
  for (const [field, code] of [
    ['observationSpace', 'observation-space'],
    ['actionSpace', 'action-space'],
  ] as const) {
    const space: unknown = env[field];
    if (space === undefined || space === null) {
      throw new EnvCheckError(name, code, `the env has no ${field} (got ${describe(space)})`, `set ${field} in the constructor to a Box or Discrete, e.g. \`readonly ${field} = new Box(-1, 1, [3])\``);
    }
    if (!(space instanceof Box) && !(space instanceof Discrete)) {
      throw new EnvCheckError(name, code, `${field} must be a Box or Discrete from imitate's spaces, got ${describe(space)}`, `construct it with \`new Box(...)\` or \`new Discrete(n)\` imported from imitate (a copy of the class from another package instance fails instanceof)`);
    }
    if (space instanceof Box) checkBoxBounds(space, field, name);
  }
  const a = env.actionSpace;
  if (a instanceof Box) {
    if (!a.isBounded()) warnings.push(`${name}: actionSpace ${a} has infinite bounds; SAC/TD3 squash actions into finite bounds, so give every dimension a finite low and high`);
    for (let i = 0; i < a.size; i++) {
      if (a.low[i] === a.high[i]) {
        warnings.push(`${name}: actionSpace dimension ${i} has low = high = ${a.low[i]}; that action entry can never vary`);
        break;
      }
    }
  }
  return warnings;
}

// Box's constructor validates bounds, but low/high are mutable typed arrays a subclass or a
// careless env can overwrite, so they are re-checked here.
function checkBoxBounds(box: Box, field: string, name: string): void {
  const size = box.shape.reduce((p, d) => p * d, 1);
  if (size !== box.size || box.low.length !== size || box.high.length !== size) {
    throw new EnvCheckError(name, 'box-bounds', `${field} has shape [${box.shape.join(', ')}] (size ${size}) but low/high have ${box.low.length}/${box.high.length} entries`, `build the Box with bounds matching its shape; do not reassign low/high afterwards`);
  }
  for (let i = 0; i < size; i++) {
    const lo = box.low[i];
    const hi = box.high[i];
    if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi || lo === Infinity || hi === -Infinity) {
      throw new EnvCheckError(name, 'box-bounds', `${field} bound ${i} is [${lo}, ${hi}], expected low <= high, neither NaN`, `fix entry ${i} of the Box's low/high`);
    }
  }
}

/**
 * Which call produced a value: a label such as `'reset()'`, or a step count since the last
 * reset. A number keeps the per-step checks free of string building until one fails.
 */
export type Where = string | number;

function at(where: Where): string {
  return typeof where === 'number' ? `step ${where} since the last reset` : where;
}

/**
 * Checks an observation against `space`: Float32Array of the right length for a Box (no NaN or
 * Inf, inside the bounds), an integer in range for a Discrete. `where` says which call produced
 * it, e.g. `reset()` or `step 3 since reset`.
 */
export function checkObservation(obs: unknown, space: Space, name: string, where: Where, onOutside: OutsideHandler = throwIt): void {
  if (space instanceof Discrete) {
    if (typeof obs !== 'number') {
      throw new EnvCheckError(name, 'obs-type', `${at(where)} returned observation ${describe(obs)}, expected an integer for ${space}`, `return a plain number for Discrete observation spaces`);
    }
    if (Number.isNaN(obs) || !Number.isFinite(obs)) {
      throw new EnvCheckError(name, 'nan-obs', `${at(where)} returned observation ${obs}, expected an integer of ${space}`, `find where the state becomes ${obs} (a division by zero, an uninitialised field)`);
    }
    if (!Number.isInteger(obs)) {
      throw new EnvCheckError(name, 'obs-type', `${at(where)} returned observation ${obs}, expected an integer of ${space}`, `round or index the state so the observation is an integer`);
    }
    const why = space.explain(obs);
    // Not a bound but a wrong value: a Discrete observation outside the set always throws.
    if (why !== null) throw new EnvCheckError(name, 'obs-space', `${at(where)} returned an observation outside observationSpace ${space}: ${why}`, `keep observations inside the space, or widen the space`);
    return;
  }
  if (!(obs instanceof Float32Array)) {
    const hint = obs instanceof Float64Array ? 'convert with Float32Array.from(x) or allocate a Float32Array' : Array.isArray(obs) ? 'wrap it: Float32Array.from(array)' : 'return a Float32Array';
    throw new EnvCheckError(name, 'obs-type', `${at(where)} returned observation ${describe(obs)}, expected a Float32Array of length ${space.size} for ${space}`, hint);
  }
  if (obs.length !== space.size) {
    throw new EnvCheckError(name, 'obs-shape', `${at(where)} returned an observation of length ${obs.length}, expected length ${space.size} (shape [${space.shape.join(', ')}]) for ${space}`, `return exactly ${space.size} entries, or fix observationSpace's shape to match the state`);
  }
  assertFiniteObservation(obs, name, where);
  const why = space.explain(obs);
  if (why !== null) onOutside(new EnvCheckError(name, 'obs-space', `${at(where)} returned an observation outside observationSpace ${space}: ${why}`, `clip the state to the bounds, or widen observationSpace's low/high`));
}

/**
 * What to do with a finite Box observation of the right length that lies outside the bounds: checkEnv
 * throws; the PassiveEnvChecker warns, as Gymnasium's does, because reset options may
 * legitimately start an episode outside the nominal bounds.
 */
export type OutsideHandler = (error: EnvCheckError) => void;

function throwIt(error: EnvCheckError): never {
  throw error;
}

/** Throws on the first NaN or ±Infinity entry; a tight loop with no allocation when all is well. */
export function assertFiniteObservation(obs: Float32Array, name: string, where: Where): void {
  for (let i = 0; i < obs.length; i++) {
    // x - x is 0 for finite x and NaN for NaN and ±Infinity: one comparison per entry.
    if (obs[i] - obs[i] !== 0) {
      throw new EnvCheckError(name, 'nan-obs', `${at(where)} returned an observation whose entry ${i} is ${obs[i]}, expected a finite number`, `find what makes state entry ${i} non-finite (division by zero, overflow, an unclipped velocity) and clip or guard it`);
    }
  }
}

/** Checks that `info` is a plain object (a Record), as reset and step must return. */
export function checkInfo(info: unknown, name: string, where: Where): asserts info is Info {
  const proto = typeof info === 'object' && info !== null ? Object.getPrototypeOf(info) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new EnvCheckError(name, 'info-type', `${at(where)} returned info ${describe(info)}, expected a plain object`, `return \`{}\` when there is nothing to report, or an object literal such as \`{ success: true }\``);
  }
}

/** Checks the shape of `reset`'s return value and its contents; returns the pair typed. */
export function checkResetReturn(result: unknown, space: Space, name: string, where: Where = 'reset()', onOutside: OutsideHandler = throwIt): [SpaceValue, Info] {
  if (!Array.isArray(result) || result.length !== 2) {
    const got = Array.isArray(result) ? `an array of length ${result.length}` : describe(result);
    throw new EnvCheckError(name, 'reset-return', `${at(where)} returned ${got}, expected a pair [obs, info]`, `end reset with \`return [obs, {}]\` (Gymnasium's API: reset returns the observation and an info object)`);
  }
  checkObservation(result[0], space, name, where, onOutside);
  checkInfo(result[1], name, where);
  return result as [SpaceValue, Info];
}

/** Checks the shape of `step`'s return value and every entry of it; returns the tuple typed. */
export function checkStepReturn(result: unknown, space: Space, name: string, where: Where, onOutside: OutsideHandler = throwIt): StepResult {
  checkStepTuple(result, name, where);
  checkObservation(result[0], space, name, where, onOutside);
  checkStepScalars(result, name, where);
  checkInfo(result[4], name, where);
  return result;
}

/** The 5-tuple's outer shape only; a 4-tuple gets the old-Gym-API hint. */
export function checkStepTuple(result: unknown, name: string, where: Where): asserts result is StepResult {
  if (Array.isArray(result) && result.length === 5) return;
  const got = Array.isArray(result) ? `an array of length ${result.length}` : describe(result);
  const fix =
    Array.isArray(result) && result.length === 4
      ? 'this looks like the old Gym API [obs, reward, done, info]: split done into terminated (the MDP ended) and truncated (cut short, e.g. a time limit) and return [obs, reward, terminated, truncated, info]'
      : 'return [obs, reward, terminated, truncated, info]';
  throw new EnvCheckError(name, 'step-return', `${at(where)} returned ${got}, expected a 5-tuple [obs, reward, terminated, truncated, info]`, fix);
}

/**
 * Reward a finite number, terminated and truncated booleans: the checks the PassiveEnvChecker
 * runs on every step, so they allocate nothing on success.
 */
export function checkStepScalars(result: StepResult, name: string, where: Where): void {
  const reward: unknown = result[1];
  if (typeof reward !== 'number') {
    throw new EnvCheckError(name, 'reward-type', `${at(where)} returned reward ${describe(reward)}, expected a number`, `return the reward as a plain number (convert a tensor or typed-array entry with Number(x))`);
  }
  if (reward - reward !== 0) {
    throw new EnvCheckError(name, 'nan-reward', `${at(where)} returned reward ${reward}, expected a finite number`, `guard the reward computation against division by zero and overflow`);
  }
  const term: unknown = result[2];
  if (typeof term !== 'boolean') {
    throw new EnvCheckError(name, 'terminated-type', `${at(where)} returned terminated = ${describe(term)}, expected a boolean`, `return true/false, not 0/1 or undefined (e.g. \`const terminated = x > limit\`)`);
  }
  const trunc: unknown = result[3];
  if (typeof trunc !== 'boolean') {
    throw new EnvCheckError(name, 'truncated-type', `${at(where)} returned truncated = ${describe(trunc)}, expected a boolean`, `return false unless the episode was cut short (time limits are added by make's TimeLimit wrapper)`);
  }
}
