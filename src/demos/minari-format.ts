/**
 * Minari datasets (Farama): `<dataset>/data/main_data.hdf5` with one group per episode,
 *
 *   /episode_<i>   observations [T+1, ...] (the first and the final observation included),
 *                  actions [T, ...], rewards [T], terminations [T], truncations [T], infos/
 *
 * and the env's spec as a JSON string, in the root attribute `env_spec` (Minari < 0.5) or in
 * `<dataset>/metadata.json` (Minari ≥ 0.5). Only Box observations and actions are read: a Dict
 * observation (a group instead of a dataset) is an error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DemoDataset } from './episode.js';
import { DemoFileError } from './errors.js';
import { getGroup, isDataset, readAttr, readNumeric, type Group, type H5File } from './hdf5.js';
import { assembleDataset, episodeFromColumns, matrixOf, vectorOf, type Matrix } from './arrays.js';
import { episodeNames } from './imitate-format.js';

/** The HDF5 file inside a Minari dataset directory (the dataset's root or its data/ folder), or null. */
export function minariDataFile(dir: string): string | null {
  for (const candidate of [path.join(dir, 'data', 'main_data.hdf5'), path.join(dir, 'main_data.hdf5')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Whether an open HDF5 file looks like Minari's: its root holds episode_<i> groups. */
export function isMinariLayout(h5: H5File): boolean {
  const keys = h5.keys();
  return keys.length > 0 && keys.some((k) => /^episode_\d+$/.test(k));
}

/** Reads a Minari main_data.hdf5 (open as `h5`). */
export function readMinariLayout(file: string, h5: H5File): DemoDataset {
  const parts = episodeNames(file, h5).map((name) => {
    const g = getGroup(file, h5, name);
    return { ...readEpisode(file, g), where: `episode '${g.path}'` };
  });
  const seed = readAttr(h5, 'seed');
  return assembleDataset(file, parts, {
    envId: envIdOf(file, h5),
    observationSpace: null,
    actionSpace: null,
    source: `Minari dataset ${String(readAttr(h5, 'dataset_id') ?? path.basename(path.dirname(path.dirname(file))))}`,
    seed: typeof seed === 'number' ? seed : null,
    randomReturn: null,
  });
}

function readEpisode(file: string, g: Group) {
  const matrix = (name: string): Matrix => {
    if (g.keys().includes(name) && !isDataset(g.get(name))) {
      throw new DemoFileError(file, `'${g.path}/${name}' is a group (a Dict or Tuple space); only Box ${name} are supported`);
    }
    return matrixOf(file, readNumeric(file, g, name), `${g.path}/${name}`);
  };
  const vector = (name: string) => vectorOf(file, readNumeric(file, g, name), `${g.path}/${name}`);
  const all = matrix('observations');
  const T = all.rows - 1;
  if (T < 0) throw new DemoFileError(file, `'${g.path}/observations' is empty (Minari stores T + 1 observations)`);
  const actions = matrix('actions');
  if (actions.rows !== T) {
    throw new DemoFileError(file, `episode '${g.path}': inconsistent lengths: ${all.rows} observations need ${all.rows - 1} actions (Minari stores T + 1 observations), found ${actions.rows}`);
  }
  const values = Float32Array.from(all.values);
  return episodeFromColumns(file, `episode '${g.path}'`, {
    observations: { rows: T, cols: all.cols, values: values.subarray(0, T * all.cols) },
    nextObservations: { rows: T, cols: all.cols, values: values.subarray(all.cols) },
    actions,
    rewards: vector('rewards'),
    terminated: vector('terminations'),
    truncated: vector('truncations'),
  });
}

/** The env id from the spec Minari stores, or null. */
function envIdOf(file: string, h5: H5File): string | null {
  const fromJson = (text: unknown): string | null => {
    if (typeof text !== 'string') return null;
    try {
      const spec = JSON.parse(text) as { id?: unknown };
      return typeof spec.id === 'string' ? spec.id : null;
    } catch {
      return null;
    }
  };
  const inFile = fromJson(readAttr(h5, 'env_spec'));
  if (inFile !== null) return inFile;
  // Minari ≥ 0.5: <dataset>/metadata.json next to data/.
  const metadata = path.join(path.dirname(path.dirname(file)), 'metadata.json');
  if (!existsSync(metadata)) return null;
  try {
    return fromJson((JSON.parse(readFileSync(metadata, 'utf8')) as { env_spec?: unknown }).env_spec);
  } catch {
    return null;
  }
}
