/**
 * The demonstration layout of the paper's authors (liayn-pytorch, spec/paper-lipschitz-gail.md
 * §5.1): one episode per `.h5` file, a directory of them read in sorted file-name order, each with
 *
 *   obs0 [T, obsDim], acs [T, actDim], obs1 [T, obsDim], dones1 [T], ep_lens [1], ep_env_rets [1]
 *
 * No per-step rewards and no env id are recorded. `dones1` does not tell a terminal state from a
 * time limit; a done on the last step of an episode as long as the env's step limit is read as
 * truncated, any other done as terminated, and an episode whose last step is not done as
 * truncated (the recording stopped). A file holding several episodes back to back (ep_lens with
 * several entries) is split by ep_lens.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DemoDataset } from './episode.js';
import { DemoFileError } from './errors.js';
import { readNumeric, openForReading, type H5File } from './hdf5.js';
import { assembleDataset, episodeFromColumns, matrixOf, vectorOf, type Matrix } from './arrays.js';

export const AUTHORS_KEYS = ['obs0', 'acs', 'obs1', 'dones1', 'ep_lens', 'ep_env_rets'] as const;

/** Whether an open HDF5 file has the authors' keys at its root (at least obs0 and acs). */
export function isAuthorsLayout(h5: H5File): boolean {
  const keys = h5.keys();
  return keys.includes('obs0') && keys.includes('acs');
}

/** The `.h5` files of a directory in the authors' order (sorted by name). */
export function authorsFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.h5$/i.test(f) && statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Reads the authors' files in the order given. `maxEpisodeSteps` is the env's step limit, used to
 * tell a time limit from a terminal state (null: every done counts as terminal, as the authors'
 * code treats it).
 */
export async function readAuthorsLayout(files: readonly string[], options: { maxEpisodeSteps: number | null; source: string; where: string }): Promise<DemoDataset> {
  if (files.length === 0) throw new DemoFileError(options.where, 'contains zero episodes (no .h5 files)');
  const parts: Parameters<typeof assembleDataset>[1][number][] = [];
  for (const file of files) {
    const h5 = await openForReading(file);
    try {
      parts.push(...readAuthorsFile(file, h5, options.maxEpisodeSteps));
    } finally {
      h5.close();
    }
  }
  return assembleDataset(options.where, parts, {
    envId: null,
    observationSpace: null,
    actionSpace: null,
    source: options.source,
    seed: null,
    randomReturn: null,
  });
}

function readAuthorsFile(file: string, h5: H5File, maxEpisodeSteps: number | null) {
  const matrix = (k: string) => matrixOf(file, readNumeric(file, h5, k), `/${k}`);
  const vector = (k: string) => vectorOf(file, readNumeric(file, h5, k), `/${k}`);
  for (const k of AUTHORS_KEYS) {
    if (!h5.keys().includes(k)) throw new DemoFileError(file, `missing key '${k}' of the authors' layout (expected ${AUTHORS_KEYS.join(', ')})`);
  }
  const obs0 = matrix('obs0');
  const acs = matrix('acs');
  const obs1 = matrix('obs1');
  const dones = vector('dones1');
  const lens = Array.from(vector('ep_lens'));
  const rets = Array.from(vector('ep_env_rets'));
  if (lens.length !== rets.length) throw new DemoFileError(file, `'ep_lens' has ${lens.length} entries, 'ep_env_rets' has ${rets.length}`);
  const total = lens.reduce((a, b) => a + b, 0);
  if (lens.some((n) => !Number.isInteger(n) || n < 0) || total !== obs0.rows) {
    throw new DemoFileError(file, `'ep_lens' (${lens.join(', ')}) does not add up to the ${obs0.rows} rows of 'obs0'`);
  }
  let start = 0;
  return lens.map((T, e) => {
    const rows = (m: Matrix): Matrix => ({ rows: Math.max(0, Math.min(m.rows, start + T) - start), cols: m.cols, values: sliceRows(m, start, T) });
    const d = Array.from(dones).slice(start, start + T);
    const terminated = new Uint8Array(d.length);
    const truncated = new Uint8Array(d.length);
    d.forEach((v, t) => {
      const last = t === T - 1;
      if (v !== 0) {
        if (last && maxEpisodeSteps !== null && T >= maxEpisodeSteps) truncated[t] = 1;
        else terminated[t] = 1;
      } else if (last) {
        truncated[t] = 1;
      }
    });
    const where = lens.length > 1 ? `episode ${e} (rows ${start}..${start + T - 1})` : 'episode';
    const episode = episodeFromColumns(file, where, {
      observations: rows(obs0),
      actions: rows(acs),
      nextObservations: rows(obs1),
      rewards: null,
      terminated,
      truncated,
      recordedReturn: rets[e],
    });
    start += T;
    return { ...episode, where: `${path.basename(file)}: ${where}` };
  });
}

function sliceRows(m: Matrix, start: number, count: number): ArrayLike<number> {
  const values = m.values as ArrayLike<number> & { slice?: (a: number, b: number) => ArrayLike<number> };
  const a = Math.min(m.rows, start) * m.cols;
  const b = Math.min(m.rows, start + count) * m.cols;
  return values.slice !== undefined ? values.slice(a, b) : Array.from(values).slice(a, b);
}
