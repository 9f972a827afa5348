/**
 * `ndarray` views of an episode, for users who index by (step, component) rather than by flat
 * offset. The views share the episode's memory: nothing is copied.
 */
import ndarray from 'ndarray';
import { episodeLength, type DemoDataset } from './episode.js';

/** An episode's arrays as ndarrays: matrices [T, dim] and vectors [T]. */
export interface EpisodeArrays {
  observations: ndarray.NdArray<Float32Array>;
  actions: ndarray.NdArray<Float32Array>;
  rewards: ndarray.NdArray<Float64Array> | null;
  nextObservations: ndarray.NdArray<Float32Array>;
  terminated: ndarray.NdArray<Uint8Array>;
  truncated: ndarray.NdArray<Uint8Array>;
}

/** ndarray views of episode `index` of `dataset`. */
export function episodeArrays(dataset: DemoDataset, index: number): EpisodeArrays {
  const ep = dataset.episodes[index];
  if (ep === undefined) throw new RangeError(`episodeArrays: episode ${index} does not exist (the dataset has ${dataset.episodes.length})`);
  const T = episodeLength(ep);
  return {
    observations: ndarray(ep.observations, [T, dataset.obsDim]),
    actions: ndarray(ep.actions, [T, dataset.actDim]),
    rewards: ep.rewards === null ? null : ndarray(ep.rewards, [T]),
    nextObservations: ndarray(ep.nextObservations, [T, dataset.obsDim]),
    terminated: ndarray(ep.terminated, [T]),
    truncated: ndarray(ep.truncated, [T]),
  };
}
