import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box } from '../../src/spaces.js';
import { NormalizeReward } from '../../src/wrappers/normalize-reward.js';

type Scripted = { r: number; term?: boolean; trunc?: boolean };

/** Replays a fixed script of rewards and episode endings. */
class Script extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Box(-1, 1, [1]);
  private k = 0;
  constructor(private readonly script: Scripted[]) {
    super();
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    return [Float32Array.of(0), {}];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    const { r, term = false, trunc = false } = this.script[this.k++ % this.script.length];
    return [Float32Array.of(0), r, term, trunc, {}];
  }
}

const a = Float32Array.of(0);
const script: Scripted[] = [{ r: 1 }, { r: 2 }, { r: -1, term: true }, { r: 3 }, { r: 0.5, trunc: true }, { r: 4 }, { r: -2, term: true, trunc: true }, { r: 1.5 }];

t.test('first step by hand', async (t) => {
  const env = new NormalizeReward(new Script([{ r: 2 }]));
  env.reset();
  // G = 2; prior (count 1e-4, mean 0, var 1) merged with one sample at 2.
  const n = 1 + 1e-4;
  const mean = 2 / n;
  const variance = (1e-4 * (1 + mean ** 2) + (2 - mean) ** 2) / n;
  t.ok(Math.abs(env.step(a)[1] - 2 / Math.sqrt(variance + 1e-8)) < 1e-12);
  t.equal(env.discountedReturn, 2);
});

t.test('matches a hand-computed reference over terminations and truncations', async (t) => {
  const gamma = 0.9;
  const env = new NormalizeReward(new Script(script), { gamma });
  env.reset();
  // Reference, written out independently: the accumulator is cleared by the current step's
  // termination before adding its reward; truncation never clears it.
  const expectedG = [1, 0.9 * 1 + 2, -1, 0.9 * -1 + 3, 0.9 * 2.1 + 0.5, 0.9 * 2.39 + 4, -2, 0.9 * -2 + 1.5];
  const seen: number[] = [];
  for (let k = 0; k < script.length; k++) {
    const [, reward, term, trunc] = env.step(a);
    t.ok(Math.abs(env.discountedReturn - expectedG[k]) < 1e-12, `G after step ${k + 1} is ${expectedG[k]}`);
    t.same([term, trunc], [script[k].term ?? false, script[k].trunc ?? false], 'flags pass through');
    seen.push(expectedG[k]);
    const n = seen.length + 1e-4;
    const mean = seen.reduce((s, g) => s + g, 0) / n;
    const variance = (1e-4 * (1 + mean ** 2) + seen.reduce((s, g) => s + (g - mean) ** 2, 0)) / n;
    t.ok(Math.abs(reward - script[k].r / Math.sqrt(variance + 1e-8)) < 1e-12, `reward ${k + 1}: r / sqrt(var(G) + eps), no mean subtracted`);
  }
});

t.test('reset does not clear the accumulator (as Gymnasium)', async (t) => {
  const env = new NormalizeReward(new Script([{ r: 1 }]), { gamma: 0.5 });
  env.reset();
  env.step(a);
  env.reset();
  env.step(a);
  t.equal(env.discountedReturn, 1.5);
});

t.test('freezing and state round trip', async (t) => {
  const env = new NormalizeReward(new Script(script));
  env.reset();
  for (let k = 0; k < 5; k++) env.step(a);
  const saved = JSON.parse(JSON.stringify(env.state()));
  env.updateRunningMean = false;
  const frozenReward = env.step(a)[1];
  t.same(env.returnRms.state(), saved.returnRms, 'statistics unchanged while frozen');
  t.equal(frozenReward, 4 / Math.sqrt(saved.returnRms.var[0] + 1e-8));
  t.not(env.discountedReturn, saved.discountedReturn, 'the accumulator still advances');

  const copy = new NormalizeReward(new Script(script));
  copy.setState(saved);
  t.same(copy.state(), saved);
  t.throws(() => copy.setState({ ...saved, discountedReturn: NaN }), /discountedReturn/);
});

t.test('options are validated', async (t) => {
  t.throws(() => new NormalizeReward(new Script(script), { gamma: 1.5 }), /gamma must be in \[0, 1\]/);
  t.throws(() => new NormalizeReward(new Script(script), { epsilon: 0 }), /epsilon/);
});
