import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box } from '../../src/spaces.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';

/** Counts steps; terminates on step `terminateAt` (never when 0). */
class Countdown extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-Infinity, Infinity, [1]);
  readonly actionSpace = new Box(-1, 1, [1]);
  private t = 0;
  constructor(private readonly terminateAt = 0) {
    super();
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    this.t = 0;
    return [Float32Array.of(0), {}];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.t += 1;
    return [Float32Array.of(this.t), 1, this.t === this.terminateAt, false, {}];
  }
}

const a = Float32Array.of(0);

t.test('sets truncated, never terminated, at the limit', async (t) => {
  const env = new TimeLimit(new Countdown(), 3);
  env.reset();
  t.same(env.step(a).slice(2, 4), [false, false]);
  t.same(env.step(a).slice(2, 4), [false, false]);
  t.same(env.step(a).slice(2, 4), [false, true], 'step 3: truncated, not terminated');
  t.equal(env.elapsedSteps, 3);
  env.reset();
  t.equal(env.elapsedSteps, 0, 'reset restarts the count');
  t.same(env.step(a).slice(2, 4), [false, false]);
});

t.test('termination on the last allowed step sets both flags', async (t) => {
  const env = new TimeLimit(new Countdown(2), 2);
  env.reset();
  t.same(env.step(a).slice(2, 4), [false, false]);
  t.same(env.step(a).slice(2, 4), [true, true]);
});

t.test('termination before the limit is not truncation', async (t) => {
  const env = new TimeLimit(new Countdown(1), 5);
  env.reset();
  t.same(env.step(a).slice(2, 4), [true, false]);
});

t.test('rejects a non-positive or fractional limit', async (t) => {
  t.throws(() => new TimeLimit(new Countdown(), 0), /positive integer/);
  t.throws(() => new TimeLimit(new Countdown(), 1.5), /positive integer/);
});
