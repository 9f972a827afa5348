import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box } from '../../src/spaces.js';
import { RecordEpisodeStatistics, type EpisodeStatistics } from '../../src/wrappers/record-episode-statistics.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';

/** Reward on step k is k; terminates after `length` steps (never when 0). Reuses one info object. */
class Ramp extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-Infinity, Infinity, [1]);
  readonly actionSpace = new Box(-1, 1, [1]);
  readonly sharedInfo: Info = { shared: true };
  private t = 0;
  constructor(public length = 0) {
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
    return [Float32Array.of(this.t), this.t, this.t === this.length, false, this.sharedInfo];
  }
}

const a = Float32Array.of(0);

t.test('info.episode holds return, length and time on the ending step only', async (t) => {
  const inner = new Ramp(3);
  const env = new RecordEpisodeStatistics(inner);
  env.reset();
  t.notOk('episode' in env.step(a)[4]);
  t.notOk('episode' in env.step(a)[4]);
  const info = env.step(a)[4];
  const ep = info.episode as EpisodeStatistics;
  t.equal(ep.r, 6, 'return 1 + 2 + 3');
  t.equal(ep.l, 3);
  t.ok(ep.t >= 0 && ep.t < 5, 'time in seconds');
  t.equal(Math.round(ep.t * 1e6) / 1e6, ep.t, 'rounded to microseconds');
  t.equal(info.shared, true, 'the env info is kept');
  t.notOk('episode' in inner.sharedInfo, "the env's own info object is not mutated");
  t.same(env.returnQueue, [6]);
  t.same(env.lengthQueue, [3]);
  t.equal(env.timeQueue.length, 1);
  t.equal(env.episodeCount, 1);
});

t.test('truncated episodes are recorded; queues keep the last bufferLength', async (t) => {
  const inner = new Ramp();
  const env = new RecordEpisodeStatistics(new TimeLimit(inner, 2), { bufferLength: 2 });
  for (const limit of [2, 1, 2]) {
    // A shorter episode via termination, to vary the lengths.
    inner.length = limit === 1 ? 1 : 0;
    env.reset();
    let done = false;
    let last: Info = {};
    while (!done) {
      const [, , term, trunc, info] = env.step(a);
      done = term || trunc;
      last = info;
    }
    t.ok('episode' in last);
  }
  t.same(env.returnQueue, [1, 3], 'episodes 2 and 3: returns 1 and 1 + 2');
  t.same(env.lengthQueue, [1, 2]);
  t.equal(env.timeQueue.length, 2);
  t.equal(env.episodeCount, 3);
});

t.test('reset clears the running return', async (t) => {
  const env = new RecordEpisodeStatistics(new Ramp(2));
  env.reset();
  env.step(a);
  env.reset();
  env.step(a);
  t.same((env.step(a)[4].episode as EpisodeStatistics).r, 3);
});

t.test('a second recorder with the same key is an error; options are validated', async (t) => {
  const env = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new Ramp(1)));
  env.reset();
  t.throws(() => env.step(a), /already has a 'episode' key/);
  const two = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new Ramp(1)), { statsKey: 'outer' });
  two.reset();
  const info = two.step(a)[4];
  t.same([(info.episode as EpisodeStatistics).r, (info.outer as EpisodeStatistics).r], [1, 1]);
  t.throws(() => new RecordEpisodeStatistics(new Ramp(), { bufferLength: 0 }), /bufferLength/);
});
