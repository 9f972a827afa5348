import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box, Discrete } from '../../src/spaces.js';
import {
  absorbingAction,
  absorbingObs,
  AbsorbingState,
  type AbsorbingTransitions,
  isAbsorbing,
  stripFlag,
  wrapAction,
  wrapObs,
} from '../../src/wrappers/absorbing-state.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';

/** Observation (t, 10 t, −t); terminates on step `terminateAt` (never when 0). */
class Walker extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box([-5, -50, -5], [5, 50, 5]);
  readonly actionSpace = new Box(-1, 1, [2]);
  private t = 0;
  constructor(private readonly terminateAt = 0) {
    super();
  }
  private obs(): Float32Array {
    return Float32Array.of(this.t, 10 * this.t, -this.t);
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    this.t = 0;
    return [this.obs(), { reset: true }];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.t += 1;
    return [this.obs(), 1, this.t === this.terminateAt, false, { step: this.t }];
  }
}

const f32 = (...xs: number[]) => Float32Array.from(xs);

t.test('observations get a 0 flag; the space has one more dim with flag bounds [0, 1]', async (t) => {
  const env = new AbsorbingState(new Walker());
  const space = env.observationSpace as Box;
  t.same(space.shape, [4]);
  t.same([Array.from(space.low), Array.from(space.high)], [[-5, -50, -5, 0], [5, 50, 5, 1]]);
  t.same(env.actionSpace, env.env.actionSpace, 'action space unchanged');
  const [o0, info] = env.reset();
  t.same(o0, f32(0, 0, 0, 0));
  t.same(info, { reset: true });
  const [o1, , , , info1] = env.step(f32(0.5, -0.5));
  t.same(o1, f32(1, 10, -1, 0));
  t.notOk('absorbing' in info1);
  t.ok(space.contains(o1));
});

t.test('a true termination carries the two absorbing transitions', async (t) => {
  const env = new AbsorbingState(new Walker(2));
  env.reset();
  const [s] = env.step(f32(0.1, 0.2));
  const action = f32(0.3, -0.4);
  const [next, reward, terminated, truncated, info] = env.step(action);
  t.same([reward, terminated, truncated], [1, true, false]);
  t.same(next, f32(2, 20, -2, 0), 'the returned observation is the real terminal one, flag 0');
  t.equal(info.step, 2, 'env info kept');
  const [first, second] = info.absorbing as AbsorbingTransitions;
  t.same(first.obs, s, 'first: from the observation the action was taken in (s ⊕ 0)');
  t.same(first.action, f32(0.3, -0.4, 0), 'first: a ⊕ 0');
  t.same(first.nextObs, f32(0, 0, 0, 1), 'first: into s_abs');
  t.same(second.obs, f32(0, 0, 0, 1), 'second: from s_abs');
  t.same(second.action, f32(0, 0, 1), 'second: a_abs');
  t.same(second.nextObs, f32(0, 0, 0, 1), 'second: stays in s_abs');
  t.same(action, f32(0.3, -0.4), "the caller's action is not modified");
  second.nextObs[0] = 7;
  t.same(second.obs, f32(0, 0, 0, 1), 'the stored vectors do not alias each other');
});

t.test('truncation gets no absorbing transitions, also when it coincides with termination', async (t) => {
  const cut = new AbsorbingState(new TimeLimit(new Walker(5), 2));
  cut.reset();
  cut.step(f32(0, 0));
  const info = cut.step(f32(0, 0))[4];
  t.notOk('absorbing' in info, 'time-limit ending');
  const both = new AbsorbingState(new TimeLimit(new Walker(2), 2));
  both.reset();
  both.step(f32(0, 0));
  const [, , term, trunc, info2] = both.step(f32(0, 0));
  t.same([term, trunc], [true, true]);
  t.notOk('absorbing' in info2, 'terminated && truncated is not a true termination');
});

t.test('helpers', async (t) => {
  t.same(absorbingObs(3), f32(0, 0, 0, 1));
  t.same(absorbingAction(1), f32(0, 1));
  t.same(wrapAction(f32(0.5, -1)), f32(0.5, -1, 0));
  t.same(wrapObs([1, 2]), f32(1, 2, 0));
  t.same(stripFlag(f32(1, 2, 0)), f32(1, 2));
  t.same(stripFlag(absorbingObs(2)), f32(0, 0));
  t.ok(isAbsorbing(absorbingObs(2)));
  t.notOk(isAbsorbing(wrapObs([0, 1])));
  t.throws(() => absorbingObs(-1), /non-negative integer/);
  t.throws(() => stripFlag(new Float32Array(0)), /empty/);
});

t.test('needs Box spaces and a reset first', async (t) => {
  class DiscreteAct extends Walker {
    override readonly actionSpace = new Discrete(2) as unknown as Box;
  }
  t.throws(() => new AbsorbingState(new DiscreteAct()), /needs a Box action space/);
  t.throws(() => new AbsorbingState(new AbsorbingState(new Walker())).step(f32(0, 0)), /before reset/);
});
