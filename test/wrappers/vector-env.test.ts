import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box, Discrete } from '../../src/spaces.js';
import { SyncVectorEnv } from '../../src/wrappers/vector-env.js';

/**
 * Observation (t, u, a): step count, a uniform draw made at reset from the env's seeded stream,
 * and the last action received. Ends after `length` steps, by termination or truncation.
 */
class Probe extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-Infinity, Infinity, [3]);
  readonly actionSpace = new Box(-100, 100, [1]);
  readonly actions: number[] = [];
  resets = 0;
  closed = 0;
  private t = 0;
  private u = 0;
  constructor(
    private readonly length: number,
    private readonly ending: 'terminated' | 'truncated' = 'terminated',
  ) {
    super();
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    this.t = 0;
    this.u = this.npRandom.random();
    this.resets += 1;
    return [Float32Array.of(0, this.u, 0), { reset: this.resets }];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.actions.push(action[0]);
    this.t += 1;
    const end = this.t >= this.length;
    return [Float32Array.of(this.t, this.u, action[0]), this.t, end && this.ending === 'terminated', end && this.ending === 'truncated', { step: this.t }];
  }
  override close(): void {
    this.closed += 1;
  }
}

class Chain extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(5);
  readonly actionSpace = new Discrete(2);
  private s = 0;
  reset(options?: ResetOptions): [number, Info] {
    this.reseed(options);
    this.s = 0;
    return [0, {}];
  }
  step(action: number): StepResult<number> {
    this.checkAction(action);
    this.s = Math.min(4, this.s + action);
    return [this.s, 0, this.s === 4, false, {}];
  }
}

const row = (obs: Float32Array, i: number) => Array.from(obs.subarray(i * 3, i * 3 + 3));

function pair(mode: 'same-step' | 'next-step'): { vec: SyncVectorEnv; envs: Probe[] } {
  const envs = [new Probe(2, 'terminated'), new Probe(3, 'truncated')];
  return { vec: new SyncVectorEnv(envs.map((e) => () => e), { autoresetMode: mode }), envs };
}

t.test('same-step (default): the ending step returns the reset obs, finalObs/finalInfo in infos', async (t) => {
  const { vec, envs } = pair('same-step');
  t.equal(new SyncVectorEnv([() => new Probe(1)]).autoresetMode, 'same-step', 'default mode');
  const [obs0, infos0] = vec.reset({ seed: 1 });
  t.ok(obs0 instanceof Float32Array && obs0.length === 6);
  t.same(infos0, [{ reset: 1 }, { reset: 1 }]);
  const u0 = obs0[1];
  let [obs, rew, term, trunc, infos] = vec.step(Float32Array.of(10, 20));
  t.same([row(obs, 0)[0], row(obs, 1)[0]], [1, 1]);
  t.ok(rew instanceof Float64Array);
  t.same([Array.from(rew), term, trunc], [[1, 1], [false, false], [false, false]]);

  [obs, rew, term, trunc, infos] = vec.step(Float32Array.of(11, 21));
  t.same([Array.from(rew), term, trunc], [[2, 2], [true, false], [false, false]], 'env 0 terminates on step 2');
  t.equal(row(obs, 0)[0], 0, 'row 0 is already the reset observation');
  t.not(row(obs, 0)[1], u0, 'from a fresh reset (the stream continued)');
  t.same(infos[0].finalObs, Float32Array.of(2, u0, 11), 'finalObs is the terminal observation');
  t.same(infos[0].finalInfo, { step: 2 }, 'finalInfo is the terminal step info');
  t.equal(infos[0].reset, 2, "the reset's info is merged in");
  t.same(infos[1], { step: 2 }, 'a running env has its plain info');

  [obs, rew, term, trunc, infos] = vec.step(Float32Array.of(12, 22));
  t.same(row(obs, 0).slice(0, 1).concat(row(obs, 0)[2]), [1, 12], 'env 0 takes its action at once in the new episode');
  t.same([term, trunc], [[false, false], [false, true]], 'env 1 truncates on step 3');
  t.same((infos[1].finalObs as Float32Array)[0], 3);
  t.same(envs[0].actions, [10, 11, 12], 'no action was skipped');
});

t.test('next-step: the ending step returns the terminal obs; the next one resets and ignores the action', async (t) => {
  const { vec, envs } = pair('next-step');
  const [obs0] = vec.reset({ seed: 1 });
  const u0 = obs0[1];
  vec.step(Float32Array.of(10, 20));
  let [obs, rew, term, trunc, infos] = vec.step(Float32Array.of(11, 21));
  t.same(row(obs, 0), [2, u0, 11].map(Math.fround), 'step 2 returns the terminal observation');
  t.same([term[0], rew[0]], [true, 2]);
  t.notOk('finalObs' in infos[0]);

  [obs, rew, term, trunc, infos] = vec.step(Float32Array.of(99, 22));
  t.equal(row(obs, 0)[0], 0, 'step 3 returns the reset observation');
  t.same([rew[0], term[0], trunc[0]], [0, false, false], 'with reward 0 and no flags');
  t.same(infos[0], { reset: 2 }, "and the reset's info");
  t.same(envs[0].actions, [10, 11], 'the action 99 never reached env 0');
  t.same([trunc[1], row(obs, 1)[0]], [true, 3], 'env 1 ends on this step meanwhile');

  [obs, rew, term, trunc, infos] = vec.step(Float32Array.of(13, 23));
  t.same([row(obs, 0)[0], row(obs, 0)[2], rew[0]], [1, 13, 1], 'env 0 steps again');
  t.same([row(obs, 1)[0], rew[1], infos[1]], [0, 0, { reset: 2 }], 'env 1 is reset, its action 23 ignored');
  t.same(envs[1].actions, [20, 21, 22]);
});

t.test('reset({seed}) seeds env i with seed + i; runs reproduce', async (t) => {
  const vec = new SyncVectorEnv([0, 1, 2].map(() => () => new Probe(2)));
  const [obs] = vec.reset({ seed: 40 });
  for (let i = 0; i < 3; i++) {
    const single = new Probe(2);
    t.equal(row(obs, i)[1], single.reset({ seed: 40 + i })[0][1], `env ${i} seeded with ${40 + i}`);
  }
  const run = () => {
    const v = new SyncVectorEnv([0, 1, 2].map(() => () => new Probe(2)));
    const out = [Array.from(v.reset({ seed: 7 })[0])];
    for (let k = 0; k < 5; k++) out.push(Array.from(v.step(Float32Array.of(1, 2, 3))[0]));
    return out;
  };
  t.same(run(), run(), 'same seed, same batches through autoresets');
  const [listed] = vec.reset({ seed: [42, undefined, 40] });
  t.equal(row(listed, 0)[1], row(obs, 2)[1], 'a seed list gives each env its own seed');
  t.throws(() => vec.reset({ seed: [1, 2] }), /needs 3 entries/);
  t.throws(() => vec.reset({ seed: -1 }), /non-negative integer/);
});

t.test('Discrete spaces batch as one float per env; actions as number[]', async (t) => {
  const vec = new SyncVectorEnv([() => new Chain(), () => new Chain()]);
  t.same([vec.obsSize, vec.actSize], [1, 1]);
  const [obs0] = vec.reset({ seed: 0 });
  t.same(Array.from(obs0), [0, 0]);
  const [obs] = vec.step([1, 0]);
  t.same(Array.from(obs), [1, 0]);
});

t.test('errors and close', async (t) => {
  const envs = [new Probe(2), new Probe(2)];
  const vec = new SyncVectorEnv(envs.map((e) => () => e));
  t.throws(() => vec.step(Float32Array.of(0, 0)), /before reset/);
  vec.reset();
  t.throws(() => vec.step(Float32Array.of(0)), /got 1 action values, expected 2/);
  t.throws(() => vec.step(Float32Array.of(0, NaN)), /env 1.*NaN/);
  t.throws(() => new SyncVectorEnv([() => new Probe(1), () => new Chain()]), /env 1 has spaces/);
  t.throws(() => new SyncVectorEnv([]), /non-empty/);
  t.throws(() => new SyncVectorEnv([() => new Probe(1)], { autoresetMode: 'disabled' as never }), /autoresetMode/);
  vec.close();
  vec.close();
  t.same(envs.map((e) => e.closed), [1, 1], 'each env closed once');
  t.throws(() => vec.reset(), /closed/);
});
