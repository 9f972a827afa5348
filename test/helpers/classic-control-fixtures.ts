/**
 * Replays the Gymnasium parity fixtures (test/fixtures/classic_control.json, written by
 * gen_classic_control.py) through `make(id)`, and a few checks every classic-control env shares.
 */
import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import '../../envs/index.js';
import { Rng } from '../../src/rng.js';
import { make } from '../../src/registry.js';
import { Box } from '../../src/spaces.js';
import type { Env } from '../../src/env.js';

export const TOLERANCE = 1e-5;

/** One recorded episode; see the generator for how it was produced. */
export interface FixtureCase {
  name: string;
  kwargs: Record<string, unknown>;
  /** Gymnasium attributes set on `env.unwrapped` (snake_case; our fields are camelCase). */
  attrs: Record<string, unknown>;
  reset_options: Record<string, unknown> | null;
  /** State set after `reset({seed: 0})`; absent when the reset itself is deterministic. */
  state?: number[];
  state_dtype?: 'float32' | 'float64';
  reset_obs?: number[];
  actions: number[];
  obs: number[][];
  rewards: number[];
  /** One '0'/'1' character per step. */
  terminated: string;
  truncated: string;
}

interface Fixture {
  gymnasium: { version: string; commit: string };
  envs: Record<string, FixtureCase[]>;
}

let fixture: Fixture | null = null;

export function fixtureCases(envId: string): FixtureCase[] {
  fixture ??= JSON.parse(readFileSync(new URL('../fixtures/classic_control.json', import.meta.url), 'utf8')) as Fixture;
  const cases = fixture.envs[envId];
  if (cases === undefined) throw new Error(`no fixture cases for ${envId}`);
  return cases;
}

const camel = (key: string) => key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** Outcome of replaying one case: every mismatch found (empty when all matched) and the worst error. */
export interface ReplayResult {
  mismatches: string[];
  maxError: number;
  /** Values that are within tolerance but not bit-identical (observations as float32). */
  inexact: number;
  steps: number;
}

/** Replays `c` through `make(envId)` and compares every step to the recording. */
export function replayCase(envId: string, c: FixtureCase): ReplayResult {
  const env = make(envId, { kwargs: c.kwargs });
  const inner = env.unwrapped as Env & Record<string, unknown>;
  for (const [key, value] of Object.entries(c.attrs)) {
    if (!(camel(key) in inner)) throw new Error(`${envId} has no field ${camel(key)} for Gymnasium's ${key}`);
    inner[camel(key)] = value;
  }
  const mismatches: string[] = [];
  let maxError = 0;
  let inexact = 0;
  const close = (what: string, got: ArrayLike<number>, want: number[], asFloat32 = true) => {
    if (got.length !== want.length) {
      mismatches.push(`${what}: length ${got.length}, expected ${want.length}`);
      return;
    }
    for (let i = 0; i < want.length; i++) {
      const err = Math.abs(got[i] - want[i]);
      if (!(err <= TOLERANCE)) mismatches.push(`${what}[${i}] = ${got[i]}, expected ${want[i]}`);
      else maxError = Math.max(maxError, err);
      if (got[i] !== (asFloat32 ? Math.fround(want[i]) : want[i])) inexact += 1;
    }
  };

  const [obs0] = env.reset({ seed: 0, options: c.reset_options ?? undefined });
  if (c.reset_obs !== undefined) close('reset obs', obs0 as Float32Array, c.reset_obs);
  if (c.state !== undefined) inner.state = c.state_dtype === 'float32' ? Float32Array.from(c.state) : Float64Array.from(c.state);

  const isBox = env.actionSpace instanceof Box;
  for (let t = 0; t < c.actions.length; t++) {
    const action = isBox ? Float32Array.of(c.actions[t]) : c.actions[t];
    const [obs, reward, terminated, truncated] = env.step(action);
    close(`step ${t} obs`, obs as Float32Array, c.obs[t]);
    close(`step ${t} reward`, [reward], [c.rewards[t]], false);
    if (terminated !== (c.terminated[t] === '1')) mismatches.push(`step ${t} terminated = ${terminated}, expected ${c.terminated[t] === '1'}`);
    if (truncated !== (c.truncated[t] === '1')) mismatches.push(`step ${t} truncated = ${truncated}, expected ${c.truncated[t] === '1'}`);
  }
  return { mismatches, maxError, inexact, steps: c.actions.length };
}

/** Runs `steps` steps of `make(envId)` from `reset({seed})` with actions drawn by `nextAction`. */
export function rollout(envId: string, seed: number, steps: number, nextAction: (t: number) => Float32Array | number): number[][] {
  const env = make(envId);
  const [obs0] = env.reset({ seed });
  const out = [Array.from(obs0 as Float32Array)];
  for (let t = 0; t < steps; t++) {
    const [obs, reward, terminated, truncated] = env.step(nextAction(t));
    out.push([...Array.from(obs as Float32Array), reward, Number(terminated), Number(truncated)]);
    if (terminated || truncated) out.push(Array.from(env.reset()[0] as Float32Array));
  }
  return out;
}

/** Steps until the episode ends and returns [steps taken, terminated, truncated]. */
export function runToEnd(env: Env, action: (t: number) => Float32Array | number, limit = 10_000): [number, boolean, boolean] {
  for (let t = 1; t <= limit; t++) {
    const [, , terminated, truncated] = env.step(action(t));
    if (terminated || truncated) return [t, terminated, truncated];
  }
  return [limit, false, false];
}

/** Asserts that every fixture case of `envId` replays within tolerance; returns the cases. */
export function checkFixtures(t: Test, envId: string): FixtureCase[] {
  const cases = fixtureCases(envId);
  t.ok(cases.length >= 5, `${cases.length} fixture cases`);
  for (const c of cases) {
    const r = replayCase(envId, c);
    t.same(r.mismatches.slice(0, 5), [], `${c.name}: ${r.steps} steps, max error ${r.maxError.toExponential(1)}, ${r.inexact} values not bit-identical`);
  }
  return cases;
}

/** The step (1-based) at which a fixture case's `flag` is first set, from Gymnasium's record. */
export function firstFlagStep(cases: FixtureCase[], name: string, flag: 'terminated' | 'truncated'): number {
  const c = cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no fixture case named '${name}'`);
  return c[flag].indexOf('1') + 1;
}

/** Same seed and actions give the same episodes; another seed gives another first observation. */
export function checkSeeding(t: Test, envId: string, seed: number, steps: number, draw: (rng: Rng) => Float32Array | number): void {
  const rng = new Rng(seed);
  const seq = Array.from({ length: steps }, () => draw(rng));
  const a = rollout(envId, seed, steps, (i) => seq[i]);
  t.same(rollout(envId, seed, steps, (i) => seq[i]), a, 'same seed, same episodes');
  t.notSame(rollout(envId, seed + 1, steps, (i) => seq[i])[0], a[0], 'another seed, another start');
}
