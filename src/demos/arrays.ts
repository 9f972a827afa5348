/**
 * Turning the datasets of a file into an {@link Episode}: shapes read as matrices and vectors,
 * and every array of an episode checked to have the same number of steps, and every episode the
 * same dimensions, with errors that name the file and the dataset. Shared by all layouts.
 */
import { makeDataset, sumRewards, type DemoDataset, type DemoMetadata, type Episode } from './episode.js';
import { DemoFileError } from './errors.js';
import type { NumericArray } from './hdf5.js';

/** A [rows × cols] array, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
}

/** Reads a dataset as a matrix: [T] is [T × 1], [T, d1, d2, ...] is [T × d1·d2·...]. */
export function matrixOf(file: string, arr: NumericArray, where: string): Matrix {
  if (arr.shape.length === 0) throw new DemoFileError(file, `dataset '${where}' is a scalar, expected one row per step`);
  const rows = arr.shape[0];
  const cols = arr.shape.slice(1).reduce((a, b) => a * b, 1);
  return { rows, cols, values: arr.values };
}

/** Reads a dataset as a vector of one value per step: [T] or [T, 1]. */
export function vectorOf(file: string, arr: NumericArray, where: string): ArrayLike<number> {
  const m = matrixOf(file, arr, where);
  if (m.cols !== 1) throw new DemoFileError(file, `dataset '${where}' has shape [${arr.shape.join(', ')}], expected one value per step`);
  return m.values;
}

/** The columns of one episode as read from a file, before their step counts are checked. */
export interface EpisodeColumns {
  observations: Matrix;
  actions: Matrix;
  nextObservations: Matrix;
  rewards: ArrayLike<number> | null;
  terminated: ArrayLike<number>;
  truncated: ArrayLike<number>;
  /** The recorded return, used when `rewards` is null. */
  recordedReturn?: number;
}

/** An episode and its dimensions, after checking that every column has the same number of steps. */
export function episodeFromColumns(file: string, where: string, c: EpisodeColumns): { episode: Episode; obsDim: number; actDim: number } {
  const T = c.observations.rows;
  const steps: [string, number][] = [
    ['actions', c.actions.rows],
    ['next observations', c.nextObservations.rows],
    ['terminated', c.terminated.length],
    ['truncated', c.truncated.length],
  ];
  if (c.rewards !== null) steps.push(['rewards', c.rewards.length]);
  for (const [name, n] of steps) {
    if (n !== T) throw new DemoFileError(file, `${where}: inconsistent lengths: ${name} has ${n} steps, observations have ${T}`);
  }
  if (c.nextObservations.cols !== c.observations.cols) {
    throw new DemoFileError(file, `${where}: next observations have ${c.nextObservations.cols} values per step, observations have ${c.observations.cols}`);
  }
  const rewards = c.rewards === null ? null : Float64Array.from(c.rewards);
  if (rewards === null && c.recordedReturn === undefined) throw new DemoFileError(file, `${where}: neither rewards nor the episode's return are recorded`);
  const flag = (v: number) => (v !== 0 ? 1 : 0);
  return {
    episode: {
      observations: Float32Array.from(c.observations.values),
      actions: Float32Array.from(c.actions.values),
      rewards,
      nextObservations: Float32Array.from(c.nextObservations.values),
      terminated: Uint8Array.from(c.terminated, flag),
      truncated: Uint8Array.from(c.truncated, flag),
      return: rewards !== null ? sumRewards(rewards) : (c.recordedReturn as number),
    },
    obsDim: c.observations.cols,
    actDim: c.actions.cols,
  };
}

/** A dataset from checked episodes, which must all have the same dimensions. */
export function assembleDataset(
  file: string,
  parts: readonly { episode: Episode; obsDim: number; actDim: number; where: string }[],
  meta: Omit<DemoMetadata, 'expertReturn'>,
): DemoDataset {
  if (parts.length === 0) throw new DemoFileError(file, 'contains zero episodes');
  const { obsDim, actDim } = parts[0];
  for (const p of parts) {
    if (p.obsDim !== obsDim) throw new DemoFileError(file, `${p.where}: ${p.obsDim} observation values per step, the first episode has ${obsDim}`);
    if (p.actDim !== actDim) throw new DemoFileError(file, `${p.where}: ${p.actDim} action values per step, the first episode has ${actDim}`);
  }
  return makeDataset(
    parts.map((p) => p.episode),
    meta,
    { obsDim, actDim },
  );
}
