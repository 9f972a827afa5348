import t from 'tap';
import {
  episodeArrays,
  gatherTransitions,
  normalizedScore,
  PAPER_SUBSAMPLE_RATE,
  sampleTransitions,
  selectEpisodes,
  subsampleDataset,
  subsampleEpisodeAt,
  toTransitions,
} from '../../src/demos/index.js';
import { Rng } from '../../src/rng.js';
import { ACT_SPACE, syntheticDataset, syntheticEpisode } from '../helpers/demo-data.js';

t.test('selectEpisodes takes the first numDemos in order', async (t) => {
  const ds = syntheticDataset([3, 4, 5, 6], 1);
  const two = selectEpisodes(ds, 2);
  t.equal(two.episodes.length, 2);
  t.equal(two.episodes[0], ds.episodes[0]);
  t.equal(two.episodes[1], ds.episodes[1]);
  t.equal(two.metadata.expertReturn.mean, (ds.episodes[0].return + ds.episodes[1].return) / 2, 'expert statistics of the selection');
  t.throws(() => selectEpisodes(ds, 5), /numDemos is 5, but the dataset holds only 4 episodes/);
  t.throws(() => selectEpisodes(ds, 0), /positive integer/);
});

t.test('subsampling keeps rows offset, offset + rate, ... (Python [offset::rate])', async (t) => {
  const ep = syntheticEpisode(new Rng(3), 1000);
  for (let offset = 0; offset < PAPER_SUBSAMPLE_RATE; offset++) {
    t.equal(subsampleEpisodeAt(ep, 3, 2, 20, offset).terminated.length, 50, `a 1000-step episode keeps 50 at offset ${offset}`);
  }
  const short = syntheticEpisode(new Rng(4), 205, 3, 2, 'terminated');
  const sub = subsampleEpisodeAt(short, 3, 2, 20, 7);
  const rows = Array.from({ length: Math.ceil((205 - 7) / 20) }, (_, k) => 7 + 20 * k);
  t.equal(sub.terminated.length, rows.length);
  rows.forEach((r, k) => {
    t.same(sub.observations.subarray(3 * k, 3 * k + 3), short.observations.subarray(3 * r, 3 * r + 3));
    t.same(sub.actions.subarray(2 * k, 2 * k + 2), short.actions.subarray(2 * r, 2 * r + 2));
    t.same(sub.nextObservations.subarray(3 * k, 3 * k + 3), short.nextObservations.subarray(3 * r, 3 * r + 3));
    t.equal(sub.rewards![k], short.rewards![r]);
  });
  t.equal(sub.return, short.return, "the episode's return stays the full episode's");
  t.throws(() => subsampleEpisodeAt(short, 3, 2, 20, 20), /offset must be an integer in \[0, 20\)/);
});

t.test('subsampleDataset draws one offset per episode from the stream, in order', async (t) => {
  const ds = syntheticDataset([100, 100, 100], 5);
  const a = subsampleDataset(ds, 20, new Rng(9).stream('demos'));
  const b = subsampleDataset(ds, 20, new Rng(9).stream('demos'));
  t.same(a.episodes, b.episodes, 'same seed, same subsample');
  const rng = new Rng(9).stream('demos');
  ds.episodes.forEach((ep, i) => {
    const offset = rng.int(20);
    t.same(a.episodes[i].observations.subarray(0, 3), ep.observations.subarray(3 * offset, 3 * offset + 3), `episode ${i} starts at its drawn offset ${offset}`);
    t.equal(a.episodes[i].terminated.length, 5);
  });
  t.same(a.metadata, ds.metadata, "metadata keeps the full episodes' expert statistics");
  t.equal(subsampleDataset(ds, 1, new Rng(0)), ds, 'rate 1 is the identity');
});

t.test('toTransitions concatenates episodes and maps actions onto [-1, 1]', async (t) => {
  const ds = syntheticDataset([3, 2], 6);
  const raw = toTransitions(ds);
  t.equal(raw.size, 5);
  t.same(raw.obs.subarray(9, 12), ds.episodes[1].observations.subarray(0, 3), 'row 3 is episode 1 step 0');
  t.same(Array.from(raw.terminated), [0, 0, 0, 0, 1]);
  t.same(Array.from(raw.truncated), [0, 0, 1, 0, 0]);
  const scaled = toTransitions(ds, { actionSpace: ACT_SPACE });
  for (let i = 0; i < raw.actions.length; i++) {
    const j = i % 2;
    const lo = ACT_SPACE.low[j];
    const hi = ACT_SPACE.high[j];
    const want = Math.fround(((raw.actions[i] - lo) / (hi - lo)) * 2 - 1);
    t.ok(Math.abs(scaled.actions[i] - want) < 1e-6, `action ${i}: ${scaled.actions[i]} vs ${want}`);
  }
  const picked = gatherTransitions(raw, [4, 0]);
  t.same(picked.nextObs.subarray(0, 3), raw.nextObs.subarray(12, 15));
  t.same(picked.actions.subarray(2, 4), raw.actions.subarray(0, 2));
  const sampled = sampleTransitions(raw, 64, new Rng(1));
  t.equal(sampled.size, 64);
  const rng = new Rng(1);
  const rows = Array.from({ length: 64 }, () => rng.int(5));
  t.same(sampled, gatherTransitions(raw, rows), 'uniform rows from the stream');
});

t.test('ndarray views index (step, component) into the same memory', async (t) => {
  const ds = syntheticDataset([4], 7);
  const v = episodeArrays(ds, 0);
  t.same(v.observations.shape, [4, 3]);
  t.equal(v.observations.get(2, 1), ds.episodes[0].observations[2 * 3 + 1]);
  t.equal(v.actions.get(3, 1), ds.episodes[0].actions[3 * 2 + 1]);
  t.equal(v.rewards!.get(1), ds.episodes[0].rewards![1]);
  t.equal(v.observations.data, ds.episodes[0].observations, 'no copy');
  t.throws(() => episodeArrays(ds, 1), /episode 1 does not exist/);
});

t.test('normalized score is 0 at the random return and 1 at the expert return', async (t) => {
  const meta = { expertReturn: { mean: -150, std: 1, min: -160, max: -140, episodes: 5 }, randomReturn: { mean: -1250, std: 1, min: -1300, max: -1200, episodes: 50 } };
  t.equal(normalizedScore(-1250, meta), 0);
  t.equal(normalizedScore(-150, meta), 1);
  t.equal(normalizedScore(-700, meta), 0.5);
  t.throws(() => normalizedScore(0, { ...meta, randomReturn: null }), /records no random-policy return/);
});
