/**
 * Demonstration datasets: the types, reading (imitate's, the paper authors' and Minari's HDF5
 * layouts) with validation, writing, selection and subsampling, flat transitions and ndarray
 * views. docs/demonstrations.md describes the layouts.
 */
export * from './episode.js';
export { DemoFileError } from './errors.js';
export { loadDemos, type DemoLayout, type LoadDemosOptions, type LoadedDemos } from './load.js';
export { writeDemos, DEMOS_FORMAT, DEMOS_FORMAT_VERSION } from './imitate-format.js';
export { AUTHORS_KEYS } from './authors-format.js';
export { checkAgainstEnv, checkDemoValues, demoEnv, type DemoEnv } from './validate.js';
export { PAPER_SUBSAMPLE_RATE, selectEpisodes, subsampleDataset, subsampleEpisodeAt } from './subsample.js';
export { gatherTransitions, sampleTransitions, toTransitions, type DemoTransitions } from './transitions.js';
export { episodeArrays, type EpisodeArrays } from './views.js';
export { collectEpisodes, type CollectOptions } from './collect.js';
