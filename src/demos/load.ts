/**
 * One entry point for every demonstration layout: {@link loadDemos} finds the layout from what
 * the path is (a file or a directory) and holds, reads it, checks every value, and checks it
 * against an env when one is given.
 *
 * - an HDF5 file whose root attribute `format` is "imitate-demos": imitate's own layout;
 * - an HDF5 file with `obs0` and `acs` at its root, or a directory of `.h5` files: the paper
 *   authors' layout (one episode per file, sorted by name);
 * - an HDF5 file with `episode_<i>` groups at its root, or a directory holding
 *   `data/main_data.hdf5`: a Minari dataset.
 */
import { statSync } from 'node:fs';
import { authorsFiles, isAuthorsLayout, readAuthorsLayout } from './authors-format.js';
import type { DemoDataset } from './episode.js';
import { DemoFileError } from './errors.js';
import { openForReading } from './hdf5.js';
import { isImitateLayout, readImitateLayout } from './imitate-format.js';
import { isMinariLayout, minariDataFile, readMinariLayout } from './minari-format.js';
import { checkAgainstEnv, checkDemoValues, type DemoEnv } from './validate.js';

/** The layouts {@link loadDemos} reads. */
export type DemoLayout = 'imitate' | 'authors' | 'minari';

/** Options of {@link loadDemos}. */
export interface LoadDemosOptions {
  /** Check the demonstrations against this env (see {@link demoEnv}); its step limit also tells time limits apart in the authors' layout. */
  env?: DemoEnv;
}

/** A loaded dataset and the layout it was read from. */
export interface LoadedDemos {
  dataset: DemoDataset;
  layout: DemoLayout;
  /** The HDF5 file(s) read. */
  files: string[];
}

/**
 * Reads demonstrations from `source` (a file or a directory, see the module's comment) and
 * checks them. Every fault throws a {@link DemoFileError} naming the file and what is wrong.
 */
export async function loadDemos(source: string, options: LoadDemosOptions = {}): Promise<LoadedDemos> {
  const loaded = await readAnyLayout(source, options.env?.maxEpisodeSteps ?? null);
  checkDemoValues(source, loaded.dataset);
  if (options.env !== undefined) checkAgainstEnv(source, loaded.dataset, options.env);
  return loaded;
}

async function readAnyLayout(source: string, maxEpisodeSteps: number | null): Promise<LoadedDemos> {
  let isDir = false;
  try {
    isDir = statSync(source).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DemoFileError(source, code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? (e as Error).message})`);
  }
  if (isDir) {
    const minari = minariDataFile(source);
    if (minari !== null) return { ...(await readOneFile(minari, maxEpisodeSteps)), files: [minari] };
    const files = authorsFiles(source);
    if (files.length === 0) throw new DemoFileError(source, "is a directory with neither a Minari dataset (data/main_data.hdf5) nor the authors' .h5 episode files");
    const dataset = await readAuthorsLayout(files, { maxEpisodeSteps, source: `authors' layout, ${files.length} files`, where: source });
    return { dataset, layout: 'authors', files };
  }
  return readOneFile(source, maxEpisodeSteps);
}

async function readOneFile(file: string, maxEpisodeSteps: number | null): Promise<LoadedDemos> {
  const h5 = await openForReading(file);
  let layout: DemoLayout;
  try {
    if (isImitateLayout(h5)) return { dataset: readImitateLayout(file, h5), layout: 'imitate', files: [file] };
    if (isMinariLayout(h5)) return { dataset: readMinariLayout(file, h5), layout: 'minari', files: [file] };
    if (!isAuthorsLayout(h5)) {
      const keys = h5.keys();
      throw new DemoFileError(
        file,
        `is HDF5 but in no known layout: its root holds ${keys.length === 0 ? 'nothing' : keys.map((k) => `'${k}'`).join(', ')} (expected imitate's (format attribute), the authors' (obs0, acs, ...) or Minari's (episode_<i> groups); see docs/demonstrations.md)`,
      );
    }
    layout = 'authors';
  } finally {
    h5.close();
  }
  const dataset = await readAuthorsLayout([file], { maxEpisodeSteps, source: "authors' layout", where: file });
  return { dataset, layout, files: [file] };
}
