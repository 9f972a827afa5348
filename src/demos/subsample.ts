/**
 * Choosing which expert data a run sees (spec/paper-lipschitz-gail.md §5.1): the first `numDemos`
 * episodes in the dataset's order (the authors load their files sorted and take the first
 * `num_demos`), then every `rate`-th transition of each episode from a random offset in
 * [0, rate) drawn per episode from a seeded stream (GAIL's subsampling, rate 20 in the paper).
 */
import type { Rng } from '../rng.js';
import { makeDataset, episodeLength, type DemoDataset, type Episode } from './episode.js';

/** The paper's subsampling rate. */
export const PAPER_SUBSAMPLE_RATE = 20;

/** The first `numDemos` episodes of `dataset`; throws when it holds fewer. */
export function selectEpisodes(dataset: DemoDataset, numDemos: number): DemoDataset {
  if (!Number.isSafeInteger(numDemos) || numDemos < 1) throw new RangeError(`numDemos must be a positive integer, got ${numDemos}`);
  if (numDemos > dataset.episodes.length) {
    throw new RangeError(`numDemos is ${numDemos}, but the dataset holds only ${dataset.episodes.length} episode${dataset.episodes.length === 1 ? '' : 's'}`);
  }
  const { expertReturn: _ignored, ...meta } = dataset.metadata;
  return makeDataset(dataset.episodes.slice(0, numDemos), meta, dataset);
}

/**
 * Transitions offset, offset + rate, offset + 2·rate, ... of `ep` (Python's `[offset::rate]`),
 * with `offset` given. An episode of T steps keeps ⌈(T − offset)/rate⌉ transitions: ⌊T/rate⌋ for
 * every offset when rate divides T (50 of a 1000-step episode at rate 20). The episode's return
 * stays the full episode's.
 */
export function subsampleEpisodeAt(ep: Episode, obsDim: number, actDim: number, rate: number, offset: number): Episode {
  if (!Number.isSafeInteger(rate) || rate < 1) throw new RangeError(`subsampling rate must be a positive integer, got ${rate}`);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= rate) throw new RangeError(`subsampling offset must be an integer in [0, ${rate}), got ${offset}`);
  const T = episodeLength(ep);
  const keep: number[] = [];
  for (let t = offset; t < T; t += rate) keep.push(t);
  const rows = (src: Float32Array, cols: number) => {
    const out = new Float32Array(keep.length * cols);
    keep.forEach((t, k) => out.set(src.subarray(t * cols, (t + 1) * cols), k * cols));
    return out;
  };
  return {
    observations: rows(ep.observations, obsDim),
    actions: rows(ep.actions, actDim),
    rewards: ep.rewards === null ? null : Float64Array.from(keep, (t) => ep.rewards![t]),
    nextObservations: rows(ep.nextObservations, obsDim),
    terminated: Uint8Array.from(keep, (t) => ep.terminated[t]),
    truncated: Uint8Array.from(keep, (t) => ep.truncated[t]),
    return: ep.return,
  };
}

/**
 * Subsamples every episode at `rate` with an offset drawn from `rng` per episode, in order (so
 * one seed gives the same selection). Rate 1 returns the dataset unchanged (no draw).
 */
export function subsampleDataset(dataset: DemoDataset, rate: number, rng: Rng): DemoDataset {
  if (rate === 1) return dataset;
  const episodes = dataset.episodes.map((ep) => subsampleEpisodeAt(ep, dataset.obsDim, dataset.actDim, rate, rng.int(rate)));
  const { expertReturn: _ignored, ...meta } = dataset.metadata;
  // The expert statistics describe the demonstrator, so they stay those of the full episodes.
  return { ...makeDataset(episodes, meta, dataset), metadata: dataset.metadata };
}
