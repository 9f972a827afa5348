import t from 'tap';
import { EnvCheckError } from '../../src/check-env.js';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box, Discrete } from '../../src/spaces.js';
import { make } from '../../src/registry.js';
import { PassiveEnvChecker } from '../../src/wrappers/passive-env-checker.js';
import { findWrapper } from '../../src/wrappers/wrapper.js';

/** A correct Box env whose step can be sabotaged: `corrupt(result, stepIndex)` edits the result. */
class Drift extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-10, 10, [2]);
  readonly actionSpace = new Box(-1, 1, [1]);
  private x = new Float32Array(2);
  private n = 0;
  constructor(private readonly corrupt?: (r: unknown[], n: number) => void) {
    super();
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    this.x[0] = this.npRandom.uniform(-1, 1);
    this.x[1] = 0;
    this.n = 0;
    return [this.x.slice(), {}];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.n++;
    this.x[1] = Math.max(-10, Math.min(10, this.x[1] + action[0] * 0.01));
    const r: unknown[] = [this.x.slice(), 0.5, false, this.n >= 500, {}];
    this.corrupt?.(r, this.n);
    return r as StepResult<Float32Array>;
  }
}

class Coin extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(2);
  readonly actionSpace = new Discrete(2);
  /** Makes step return 2, outside the space. */
  broken = false;
  reset(options?: ResetOptions): [number, Info] {
    this.reseed(options);
    return [this.npRandom.int(2), {}];
  }
  step(action: number): StepResult<number> {
    this.checkAction(action);
    return [this.broken ? 2 : this.npRandom.int(2), 1, false, false, {}];
  }
}

function thrown(fn: () => unknown): EnvCheckError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvCheckError) return e;
    throw e;
  }
  throw new Error('expected an EnvCheckError');
}

const a = Float32Array.of(0.3);

t.test('correct envs pass through unchanged', async (t) => {
  const env = new PassiveEnvChecker(new Drift());
  const [obs] = env.reset({ seed: 1 });
  t.equal(obs.length, 2);
  let truncatedAt = 0;
  for (let i = 1; i <= 500 && truncatedAt === 0; i++) if (env.step(a)[3]) truncatedAt = i;
  t.equal(truncatedAt, 500);
  const coin = new PassiveEnvChecker(new Coin());
  coin.reset({ seed: 0 });
  for (let i = 0; i < 50; i++) coin.step(i % 2);
});

t.test('make applies it unless disabled', async (t) => {
  t.ok(findWrapper(make(new Drift()), PassiveEnvChecker));
  t.equal(findWrapper(make(new Drift(), { disableEnvChecker: true }), PassiveEnvChecker), null);
  const env = make(new Drift((r, n) => n === 2 && (r[2] = 'yes')));
  env.reset({ seed: 0 });
  env.step(a);
  t.equal(thrown(() => env.step(a)).check, 'terminated-type');
});

t.test('spaces are checked on construction', async (t) => {
  class NoSpace extends Drift {
    override readonly actionSpace = null as unknown as Box;
  }
  const e = thrown(() => new PassiveEnvChecker(new NoSpace()));
  t.equal(e.check, 'action-space');
  t.match(e.message, /NoSpace failed check 'action-space': the env has no actionSpace/);
});

t.test('the first reset and step are checked in full', async (t) => {
  class Wide extends Drift {
    override reset(options?: ResetOptions): [Float32Array, Info] {
      super.reset(options);
      return [new Float32Array(3), {}];
    }
  }
  const wide = new PassiveEnvChecker(new Wide());
  const e1 = thrown(() => wide.reset());
  t.equal(e1.check, 'obs-shape');
  t.match(e1.message, /Wide failed check 'obs-shape': reset\(\) returned an observation of length 3, expected length 2/);

  // Outside the bounds is a warning (once), as in Gymnasium: reset options may start there.
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const outside = new PassiveEnvChecker(new Drift((r) => (r[0] = Float32Array.of(0, 11))));
  outside.reset({ seed: 0 });
  t.doesNotThrow(() => outside.step(a));
  t.doesNotThrow(() => outside.step(a));
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  t.equal(warnings.length, 1, 'warned once');
  t.match(warnings[0].message, /failed check 'obs-space': step 1 since the last reset .*entry 1 = 11 is outside \[-10, 10\]/);

  const map = new PassiveEnvChecker(new Drift((r) => (r[4] = new Map())));
  map.reset({ seed: 0 });
  t.equal(thrown(() => map.step(a)).check, 'info-type');

  const numTerm = new PassiveEnvChecker(new Drift((r) => (r[2] = 0)));
  numTerm.reset({ seed: 0 });
  const e3 = thrown(() => numTerm.step(a));
  t.equal(e3.check, 'terminated-type');
  t.match(e3.message, /terminated = the number 0, expected a boolean/);

  // Out-of-space observations after the first step are not re-checked (too costly per step)...
  const later = new PassiveEnvChecker(new Drift((r, n) => n > 1 && (r[0] = Float32Array.of(0, 11))));
  later.reset({ seed: 0 });
  later.step(a);
  t.doesNotThrow(() => later.step(a));
  // ...but a Discrete value out of range is, since that check costs nothing.
  const inner = new Coin();
  const coin = new PassiveEnvChecker(inner);
  coin.reset({ seed: 0 });
  coin.step(0);
  inner.broken = true;
  const e4 = thrown(() => coin.step(1));
  t.equal(e4.check, 'obs-space', 'an out-of-range Discrete value is a wrong value, not a bound');
  t.match(e4.message, /step 2 since the last reset .*2 is outside \{0, \.\.\., 1\}/);
});

t.test('every step: NaN observation at step 57 is caught, with the step index and entry', async (t) => {
  const env = new PassiveEnvChecker(new Drift((r, n) => n === 57 && ((r[0] as Float32Array)[1] = NaN)));
  env.spec = { id: 'Drift-v0' } as Drift['spec'];
  env.reset({ seed: 3 });
  for (let i = 1; i < 57; i++) env.step(a);
  const e = thrown(() => env.step(a));
  t.equal(e.check, 'nan-obs');
  t.equal(e.env, 'Drift-v0');
  t.match(e.message, /^Drift-v0 failed check 'nan-obs': step 57 since the last reset returned an observation whose entry 1 is NaN/);
});

t.test('every step: reward and flags are checked cheaply', async (t) => {
  const cases: [(r: unknown[]) => void, string, RegExp][] = [
    [(r) => (r[1] = Infinity), 'nan-reward', /step 9 since the last reset returned reward Infinity/],
    [(r) => (r[1] = undefined), 'reward-type', /reward undefined, expected a number/],
    [(r) => (r[3] = 1), 'truncated-type', /truncated = the number 1/],
    [(r) => r.pop(), 'step-return', /old Gym API/],
    [(r) => (r[0] = new Float64Array(2)), 'obs-type', /Float64Array of length 2, expected a Float32Array/],
    [(r) => ((r[0] as Float32Array)[0] = -Infinity), 'nan-obs', /entry 0 is -Infinity/],
  ];
  for (const [corrupt, check, fragment] of cases) {
    const env = new PassiveEnvChecker(new Drift((r, n) => n === 9 && corrupt(r)));
    env.reset({ seed: 0 });
    for (let i = 1; i < 9; i++) env.step(a);
    const e = thrown(() => env.step(a));
    t.equal(e.check, check, check);
    t.match(e.message, fragment, check);
  }
});

t.test('the step index restarts at each reset; render is checked once', async (t) => {
  const env = new PassiveEnvChecker(new Drift((r, n) => n === 3 && (r[1] = NaN)));
  env.reset({ seed: 0 });
  env.step(a);
  env.reset();
  env.step(a);
  env.step(a);
  t.match(thrown(() => env.step(a)).message, /step 3 since the last reset/);

  class Pic extends Drift {
    render(): string {
      return undefined as unknown as string;
    }
  }
  const pic = new PassiveEnvChecker(new Pic());
  t.equal(thrown(() => pic.render()).check, 'render');
});
