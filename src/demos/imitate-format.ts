/**
 * imitate's own demonstration file (docs/demonstrations.md): one HDF5 file, one group per
 * episode, plain datasets and scalar attributes only, so that Python's h5py reads it with nothing
 * else installed:
 *
 *   /                          attrs: format = "imitate-demos", format_version = 1, env_id,
 *                              observation_space, action_space (JSON), source, seed,
 *                              total_episodes, total_steps, expert_return_{mean,std,min,max},
 *                              random_return_{mean,std,min,max,episodes} (when recorded)
 *   /episodes/episode_<i>      attrs: length, return
 *     observations             float32 [T, obsDim]
 *     actions                  float32 [T, actDim]   (the env's action space)
 *     rewards                  float64 [T]           (absent when only the return is known)
 *     next_observations        float32 [T, obsDim]
 *     terminated, truncated    uint8   [T]
 */
import type { SpaceJSON } from '../spaces.js';
import { episodeLength, totalSteps, type DemoDataset, type Episode, type ReturnStats } from './episode.js';
import { DemoFileError } from './errors.js';
import { childPath, getGroup, hasChild, readAttr, readNumeric, writeHdf5Atomic, type Group, type H5File } from './hdf5.js';
import { checkDemoValues } from './validate.js';
import { assembleDataset, episodeFromColumns, matrixOf, vectorOf } from './arrays.js';

export const DEMOS_FORMAT = 'imitate-demos';
export const DEMOS_FORMAT_VERSION = 1;
const EPISODES = 'episodes';

/**
 * Writes `dataset` to `file` in imitate's layout, atomically. The dataset is checked first (see
 * {@link checkDemoValues}), so that no file is written that would not load.
 */
export async function writeDemos(file: string, dataset: DemoDataset): Promise<void> {
  checkDemoValues(file, dataset);
  const { metadata: m, obsDim, actDim } = dataset;
  await writeHdf5Atomic(file, (h5) => {
    h5.create_attribute('format', DEMOS_FORMAT);
    intAttr(h5, 'format_version', DEMOS_FORMAT_VERSION);
    if (m.envId !== null) h5.create_attribute('env_id', m.envId);
    if (m.observationSpace !== null) h5.create_attribute('observation_space', JSON.stringify(m.observationSpace));
    if (m.actionSpace !== null) h5.create_attribute('action_space', JSON.stringify(m.actionSpace));
    h5.create_attribute('source', m.source);
    if (m.seed !== null) intAttr(h5, 'seed', m.seed);
    intAttr(h5, 'total_episodes', dataset.episodes.length);
    intAttr(h5, 'total_steps', totalSteps(dataset));
    statsAttrs(h5, 'expert_return', m.expertReturn);
    if (m.randomReturn !== null) statsAttrs(h5, 'random_return', m.randomReturn);
    const episodes = h5.create_group(EPISODES);
    dataset.episodes.forEach((ep, i) => writeEpisode(episodes.create_group(`episode_${i}`), ep, obsDim, actDim));
  });
}

function writeEpisode(g: Group, ep: Episode, obsDim: number, actDim: number): void {
  const T = episodeLength(ep);
  intAttr(g, 'length', T);
  g.create_attribute('return', ep.return, null, '<d');
  const put = (name: string, data: Float32Array | Float64Array | Uint8Array, shape: number[]) => {
    // Compression needs chunks, and HDF5 refuses zero-sized chunks.
    const compressed = T > 0 ? { chunks: shape, compression: 'gzip' as const } : {};
    g.create_dataset({ name, data, shape, ...compressed });
  };
  put('observations', ep.observations, [T, obsDim]);
  put('actions', ep.actions, [T, actDim]);
  if (ep.rewards !== null) put('rewards', ep.rewards, [T]);
  put('next_observations', ep.nextObservations, [T, obsDim]);
  put('terminated', ep.terminated, [T]);
  put('truncated', ep.truncated, [T]);
}

/** Whether an open HDF5 file is in imitate's layout. */
export function isImitateLayout(h5: H5File): boolean {
  return readAttr(h5, 'format') === DEMOS_FORMAT;
}

/** Reads a file in imitate's layout (structure and step counts; validate.ts checks the values). */
export function readImitateLayout(file: string, h5: H5File): DemoDataset {
  const version = readAttr(h5, 'format_version');
  if (version !== DEMOS_FORMAT_VERSION) throw new DemoFileError(file, `format_version ${JSON.stringify(version)} is not supported (expected ${DEMOS_FORMAT_VERSION})`);
  const episodesGroup = getGroup(file, h5, EPISODES);
  const parts = episodeNames(file, episodesGroup).map((name) => {
    const g = getGroup(file, episodesGroup, name);
    return { ...readEpisode(file, g), where: `episode '${g.path}'` };
  });
  const envId = readAttr(h5, 'env_id');
  const seed = readAttr(h5, 'seed');
  return assembleDataset(file, parts, {
    envId: typeof envId === 'string' ? envId : null,
    observationSpace: jsonAttr(file, h5, 'observation_space'),
    actionSpace: jsonAttr(file, h5, 'action_space'),
    source: String(readAttr(h5, 'source') ?? ''),
    seed: typeof seed === 'number' ? seed : null,
    randomReturn: readStats(h5, 'random_return'),
  });
}

/** `<prefix><i>` children in numeric order; anything else is an error. */
export function episodeNames(file: string, group: Group, prefix = 'episode_'): string[] {
  const numbered = group.keys().map((name) => {
    const m = name.startsWith(prefix) ? /^\d+$/.exec(name.slice(prefix.length)) : null;
    if (m === null) throw new DemoFileError(file, `unexpected entry '${childPath(group, name)}' (episodes are named ${prefix}<number>)`);
    return { name, index: Number(m[0]) };
  });
  return numbered.sort((a, b) => a.index - b.index).map((e) => e.name);
}

function readEpisode(file: string, g: Group): ReturnType<typeof episodeFromColumns> {
  const matrix = (name: string) => matrixOf(file, readNumeric(file, g, name), childPath(g, name));
  const vector = (name: string) => vectorOf(file, readNumeric(file, g, name), childPath(g, name));
  const recorded = readAttr(g, 'return');
  return episodeFromColumns(file, `episode '${g.path}'`, {
    observations: matrix('observations'),
    actions: matrix('actions'),
    nextObservations: matrix('next_observations'),
    rewards: hasChild(g, 'rewards') ? vector('rewards') : null,
    terminated: vector('terminated'),
    truncated: vector('truncated'),
    ...(typeof recorded === 'number' ? { recordedReturn: recorded } : {}),
  });
}

function intAttr(obj: Group, name: string, value: number): void {
  obj.create_attribute(name, new BigInt64Array([BigInt(value)]), []);
}

function statsAttrs(obj: Group, prefix: string, s: ReturnStats): void {
  for (const k of ['mean', 'std', 'min', 'max'] as const) obj.create_attribute(`${prefix}_${k}`, s[k], null, '<d');
  intAttr(obj, `${prefix}_episodes`, s.episodes);
}

function readStats(obj: Group, prefix: string): ReturnStats | null {
  const get = (k: string) => readAttr(obj, `${prefix}_${k}`);
  const [mean, std, min, max, episodes] = ['mean', 'std', 'min', 'max', 'episodes'].map(get);
  if (typeof mean !== 'number') return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  return { mean, std: num(std), min: num(min), max: num(max), episodes: num(episodes) };
}

function jsonAttr(file: string, obj: Group, name: string): SpaceJSON | null {
  const v = readAttr(obj, name);
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new DemoFileError(file, `attribute '${name}' must be a JSON string`);
  try {
    return JSON.parse(v) as SpaceJSON;
  } catch (e) {
    throw new DemoFileError(file, `attribute '${name}' is not valid JSON (${(e as Error).message})`);
  }
}
