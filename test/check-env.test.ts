import t, { type Test } from 'tap';
import { checkEnv, EnvCheckError, type EnvCheckCode } from '../src/check-env.js';
import { make, registeredEnvs } from '../src/registry.js';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../src/env.js';
import { Box, Discrete } from '../src/spaces.js';

/** A correct continuous env: a point in [-1, 1]^3 pushed by 2 actions, 20-step episodes. */
class PointEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [3]);
  readonly actionSpace = new Box(-1, 1, [2]);
  protected state = new Float32Array(3);
  protected t = 0;

  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    for (let i = 0; i < 3; i++) this.state[i] = this.npRandom.uniform(-0.5, 0.5);
    this.t = 0;
    return [this.state.slice(), {}];
  }

  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.state[0] = Math.max(-1, Math.min(1, this.state[0] + 0.1 * action[0]));
    this.state[1] = Math.max(-1, Math.min(1, this.state[1] + 0.1 * action[1]));
    this.state[2] = Math.max(-1, Math.min(1, this.state[2] + 0.05 * this.npRandom.normal()));
    this.t++;
    const reward = -(action[0] ** 2 + action[1] ** 2);
    return [this.state.slice(), reward, this.t >= 20, false, { t: this.t }];
  }

  render(): string {
    return `x=${this.state[0].toFixed(2)}`;
  }
}

/** A correct discrete env: a walk on {0..4} from a random interior cell, ends at either edge. */
class WalkEnv extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(5);
  readonly actionSpace = new Discrete(2);
  private pos = 2;

  reset(options?: ResetOptions): [number, Info] {
    this.reseed(options);
    this.pos = 1 + this.npRandom.int(3);
    return [this.pos, {}];
  }

  step(action: number): StepResult<number> {
    this.checkAction(action);
    this.pos += action === 1 ? 1 : -1;
    const done = this.pos === 0 || this.pos === 4;
    return [this.pos, this.pos === 4 ? 1 : 0, done, false, {}];
  }
}

/** Breaks one part of PointEnv: `patch` post-processes reset's or step's return value. */
function broken(name: string, patch: { reset?: (r: [Float32Array, Info]) => unknown; step?: (r: StepResult<Float32Array>, env: PointEnv) => unknown }): PointEnv {
  class Broken extends PointEnv {
    override reset(options?: ResetOptions): [Float32Array, Info] {
      const r = super.reset(options);
      return (patch.reset ? patch.reset(r) : r) as [Float32Array, Info];
    }
    override step(action: Float32Array): StepResult<Float32Array> {
      const r = super.step(action);
      return (patch.step ? patch.step(r, this) : r) as StepResult<Float32Array>;
    }
  }
  Object.defineProperty(Broken, 'name', { value: name });
  return new Broken();
}

function rejects(t: Test, env: unknown, check: EnvCheckCode, fragment: RegExp, msg: string): void {
  try {
    checkEnv(env as PointEnv);
    t.fail(`${msg}: checkEnv accepted it`);
  } catch (e) {
    t.ok(e instanceof EnvCheckError, `${msg}: an EnvCheckError`);
    const err = e as EnvCheckError;
    t.equal(err.check, check, `${msg}: check code`);
    t.match(err.message, fragment, `${msg}: message`);
    t.match(err.message, /Fix: /, `${msg}: says how to fix`);
  }
}

t.test('correct envs pass with a report', async (t) => {
  const box = checkEnv(new PointEnv());
  t.equal(box.env, 'PointEnv');
  t.same(box.warnings, []);
  t.ok(box.passed.some((p) => /seeding/.test(p)));
  t.ok(box.passed.some((p) => /render/.test(p)));
  t.ok(box.passed.some((p) => /episode ends/.test(p)));
  const walk = checkEnv(new WalkEnv(), { seed: 7, steps: 100 });
  t.same(walk.warnings, []);
  t.ok(walk.passed.some((p) => /close/.test(p)));
});

t.test('a made env is checked through its wrappers, with a warning; the registry is untouched', async (t) => {
  const before = registeredEnvs().map((s) => s.id);
  const report = checkEnv(make(new PointEnv()));
  t.match(report.warnings.join('\n'), /the env is wrapped/);
  t.ok(report.passed.some((p) => /render/.test(p)), 'render reached through the wrappers');
  t.same(registeredEnvs().map((s) => s.id), before);
  const bad = make(broken('Wrapped', { step: (r) => [r[0], r[1], 1, r[3], r[4]] }));
  rejects(t, bad, 'terminated-type', /Wrapped failed check 'terminated-type'/, 'error from the passive checker inside');
});

t.test('the env is named by its spec id when it has one', async (t) => {
  const env = broken('Anon', { step: (r) => [r[0], NaN, r[2], r[3], r[4]] });
  env.spec = { id: 'my/Point-v0', nondeterministic: false } as PointEnv['spec'];
  rejects(t, env, 'nan-reward', /^my\/Point-v0 failed check 'nan-reward'/, 'spec id');
});

t.test('broken envs are rejected with the right code and a specific message', async (t) => {
  class NoObsSpace extends PointEnv {
    override readonly observationSpace = undefined as unknown as Box;
  }
  rejects(t, new NoObsSpace(), 'observation-space', /NoObsSpace .*no observationSpace.*Box or Discrete/, 'missing observationSpace');
  class PlainSpace extends PointEnv {
    override readonly observationSpace = { shape: [3] } as unknown as Box;
  }
  rejects(t, new PlainSpace(), 'observation-space', /must be a Box or Discrete/, 'space not a Box');
  rejects(t, broken('ObsOnly', { reset: (r) => r[0] }), 'reset-return', /ObsOnly .*reset\(\{ seed: 0 \}\) returned a Float32Array of length 3, expected a pair \[obs, info\]/, 'reset not a pair');
  rejects(t, broken('Short', { reset: (r) => [r[0].subarray(0, 2), {}] }), 'obs-shape', /length 2, expected length 3/, 'obs wrong length');
  rejects(t, broken('F64', { reset: (r) => [Float64Array.from(r[0]), {}] }), 'obs-type', /Float64Array of length 3, expected a Float32Array.*Float32Array\.from/, 'Float64Array obs');
  rejects(t, broken('Plain', { reset: (r) => [Array.from(r[0]), {}] }), 'obs-type', /an array of length 3, expected a Float32Array/, 'plain array obs');
  rejects(t, broken('Outside', { step: (r) => [Float32Array.of(0, 5, 0), r[1], r[2], r[3], r[4]] }), 'obs-space', /step 1 since the last reset returned an observation outside observationSpace Box\(-1, 1, \[3\], float32\): entry 1 = 5/, 'obs outside space');
  rejects(t, broken('NaNObs', { reset: (r) => [Float32Array.of(0, NaN, 0), r[1]] }), 'nan-obs', /entry 1 is NaN, expected a finite number/, 'NaN in obs');
  rejects(t, broken('InfReward', { step: (r) => [r[0], -Infinity, r[2], r[3], r[4]] }), 'nan-reward', /reward -Infinity, expected a finite number/, 'non-finite reward');
  rejects(t, broken('StrReward', { step: (r) => [r[0], '1', r[2], r[3], r[4]] }), 'reward-type', /reward string 1, expected a number/, 'string reward');
  rejects(t, broken('NumTerm', { step: (r) => [r[0], r[1], r[2] ? 1 : 0, r[3], r[4]] }), 'terminated-type', /terminated = the number 0, expected a boolean.*not 0\/1/, 'terminated as a number');
  rejects(t, broken('OldApi', { step: (r) => [r[0], r[1], r[2], r[4]] }), 'step-return', /array of length 4, expected a 5-tuple.*old Gym API/, 'truncated missing (4-tuple)');
  rejects(t, broken('UndefTrunc', { step: (r) => [r[0], r[1], r[2], undefined, r[4]] }), 'truncated-type', /truncated = undefined, expected a boolean/, 'truncated undefined');
  rejects(t, broken('NullInfo', { reset: (r) => [r[0], null] }), 'info-type', /returned info null, expected a plain object/, 'reset info null');
  rejects(t, broken('MapInfo', { step: (r) => [r[0], r[1], r[2], r[3], new Map()] }), 'info-type', /info an object \(Map\), expected a plain object/, 'step info a Map');
});

t.test('seeding is checked', async (t) => {
  class IgnoresSeed extends PointEnv {
    override reset(): [Float32Array, Info] {
      return super.reset(); // drops the seed: the stream just continues
    }
  }
  rejects(t, new IgnoresSeed(), 'seeding', /reset\(\{ seed: 0 \}\) twice gave different observations \(entry 0: .* vs .*\).*this\.reseed\(options\)/, 'ignores seed');

  class MathRandomSteps extends PointEnv {
    override step(action: Float32Array): StepResult<Float32Array> {
      const r = super.step(action);
      r[0][2] = Math.fround(Math.random() * 0.1);
      return r;
    }
  }
  rejects(t, new MathRandomSteps(), 'seeding', /same actions gave different results at step 1 \(observation entry 2/, 'steps not reproducible');

  class ReseedsFromEntropy extends PointEnv {
    override reset(options?: ResetOptions): [Float32Array, Info] {
      return super.reset({ seed: options?.seed ?? Math.floor(Math.random() * 1e9) });
    }
  }
  rejects(t, new ReseedsFromEntropy(), 'seeding', /reset\(\) after reset\(\{ seed: 0 \}\) is not reproducible/, 'unseeded reset does not continue');

  class FixedStart extends PointEnv {
    override reset(options?: ResetOptions): [Float32Array, Info] {
      super.reset(options);
      this.state.fill(0);
      return [this.state.slice(), {}];
    }
  }
  const report = checkEnv(new FixedStart());
  t.match(report.warnings.join('\n'), /same observation for seeds 0\.\.4/, 'a deterministic start is a warning, not an error');

  class RestartsStream extends PointEnv {
    private last = 0;
    override reset(options?: ResetOptions): [Float32Array, Info] {
      this.last = options?.seed ?? this.last;
      return super.reset({ seed: this.last });
    }
  }
  t.match(checkEnv(new RestartsStream()).warnings.join('\n'), /re-seed with the last seed/, 'an unseeded reset that repeats the seeded one warns');

  const nondet = new IgnoresSeed();
  nondet.spec = { id: 'Noisy-v0', nondeterministic: true } as PointEnv['spec'];
  t.match(checkEnv(nondet).warnings.join('\n'), /nondeterministic/, 'a nondeterministic spec turns seeding failures into warnings');
});

t.test('throwing, rendering and closing', async (t) => {
  rejects(t, broken('Thrower', { step: () => { throw new RangeError('boom'); } }), 'step-error', /step 1 since the last reset \(a sampled action\) threw RangeError: boom/, 'step throws');
  class BadRender extends PointEnv {
    override render(): string {
      return 42 as unknown as string;
    }
  }
  rejects(t, new BadRender(), 'render', /render\(\) returned number, expected a string/, 'render not a string');
  t.doesNotThrow(() => checkEnv(new BadRender(), { skipRenderCheck: true }), 'skipRenderCheck');
  class CloseOnce extends PointEnv {
    private closed = false;
    override close(): void {
      if (this.closed) throw new Error('already closed');
      this.closed = true;
    }
  }
  rejects(t, new CloseOnce(), 'close', /a second close\(\) threw Error: already closed/, 'close twice');
  rejects(t, { reset() {}, step() {} }, 'env-type', /no close method/, 'not an env');
  class UnboundedAction extends PointEnv {
    override readonly actionSpace = new Box(-Infinity, Infinity, [2]);
  }
  t.match(checkEnv(new UnboundedAction()).warnings.join('\n'), /infinite bounds/, 'unbounded action space warns');
});
