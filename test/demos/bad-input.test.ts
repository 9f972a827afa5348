/**
 * Every kind of bad demonstration input gets its own DemoFileError naming the file and the fault:
 * a truncated file, a file that is not HDF5, a missing key, a dimension that does not fit the
 * env, NaN values, zero episodes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DemoFileError, loadDemos, makeDataset, writeDemos, type DemoEnv } from '../../src/demos/index.js';
import { writeHdf5Atomic } from '../../src/demos/hdf5.js';
import { Box } from '../../src/spaces.js';
import { syntheticDataset } from '../helpers/demo-data.js';

const env2d: DemoEnv = { id: 'Synthetic-v0', observationSpace: new Box(-5, 5, [2]), actionSpace: new Box([-2, 0], [2, 1]), maxEpisodeSteps: null };

async function rejects(t: Test, p: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, DemoFileError, 'a DemoFileError');
  t.match((err as Error).message, pattern);
  t.ok((err as Error).message.startsWith(`demonstrations ${file}: `), `names the file: ${(err as Error).message}`);
}

t.test('a truncated file', async (t) => {
  const file = join(t.testdir(), 'cut.h5');
  await writeDemos(file, syntheticDataset([50, 50], 1));
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await rejects(t, loadDemos(file), file, /truncated HDF5 file: it has \d+ bytes, its superblock records \d+/);
});

t.test('a file that is not HDF5 (text, empty)', async (t) => {
  const dir = t.testdir();
  const text = join(dir, 'notes.h5');
  writeFileSync(text, 'obs0,acs\n1,2\n');
  await rejects(t, loadDemos(text), text, /not an HDF5 file/);
  const empty = join(dir, 'empty.h5');
  writeFileSync(empty, '');
  await rejects(t, loadDemos(empty), empty, /not an HDF5 file/);
  const missing = join(dir, 'nope.h5');
  await rejects(t, loadDemos(missing), missing, /file not found/);
});

t.test('a missing key', async (t) => {
  const dir = t.testdir();
  const ours = join(dir, 'ours.h5');
  await writeHdf5Atomic(ours, (h5) => {
    h5.create_attribute('format', 'imitate-demos');
    h5.create_attribute('format_version', new BigInt64Array([1n]), []);
    const g = h5.create_group('episodes').create_group('episode_0');
    g.create_dataset({ name: 'observations', data: new Float32Array(6), shape: [2, 3] });
    g.create_dataset({ name: 'next_observations', data: new Float32Array(6), shape: [2, 3] });
  });
  await rejects(t, loadDemos(ours), ours, /missing dataset '\/episodes\/episode_0\/actions'/);
  const authors = join(dir, 'authors.h5');
  await writeHdf5Atomic(authors, (h5) => {
    h5.create_dataset({ name: 'obs0', data: new Float64Array(6), shape: [2, 3] });
    h5.create_dataset({ name: 'acs', data: new Float64Array(2), shape: [2, 1] });
    h5.create_dataset({ name: 'obs1', data: new Float64Array(6), shape: [2, 3] });
  });
  await rejects(t, loadDemos(authors), authors, /missing key 'dones1' of the authors' layout/);
  const other = join(dir, 'other.h5');
  await writeHdf5Atomic(other, (h5) => {
    h5.create_dataset({ name: 'weights', data: new Float32Array(2), shape: [2] });
  });
  await rejects(t, loadDemos(other), other, /in no known layout: its root holds 'weights'/);
});

t.test('a wrong dimension against the env, and inconsistent lengths', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'demos.h5');
  await writeDemos(file, syntheticDataset([4], 1));
  await rejects(t, loadDemos(file, { env: env2d }), file, /wrong observation dimension: the episodes have 3 values per observation, Synthetic-v0's observation space .* has 2/);
  await rejects(t, loadDemos(file, { env: { ...env2d, observationSpace: new Box(-5, 5, [3]), actionSpace: new Box(-2, 2, [1]) } }), file, /wrong action dimension: the episodes have 2 values per action/);
  await rejects(t, loadDemos(file, { env: { ...env2d, id: 'Other-v0' } }), file, /was recorded in Synthetic-v0, not in Other-v0/);
  const outside = syntheticDataset([4], 2);
  (outside.episodes[0].actions as Float32Array)[3] = 1.5;
  await writeDemos(file, outside);
  await rejects(t, loadDemos(file, { env: { ...env2d, observationSpace: new Box(-5, 5, [3]) } }), file, /actions\[1, 1\] = 1\.5 is outside Synthetic-v0's action bounds \[0, 1\]/);
  const uneven = join(dir, 'uneven.h5');
  await writeHdf5Atomic(uneven, (h5) => {
    h5.create_attribute('format', 'imitate-demos');
    h5.create_attribute('format_version', new BigInt64Array([1n]), []);
    const g = h5.create_group('episodes').create_group('episode_0');
    g.create_dataset({ name: 'observations', data: new Float32Array(6), shape: [2, 3] });
    g.create_dataset({ name: 'actions', data: new Float32Array(3), shape: [3, 1] });
    g.create_dataset({ name: 'next_observations', data: new Float32Array(6), shape: [2, 3] });
    g.create_dataset({ name: 'rewards', data: new Float64Array(2), shape: [2] });
    g.create_dataset({ name: 'terminated', data: new Uint8Array(2), shape: [2] });
    g.create_dataset({ name: 'truncated', data: new Uint8Array(2), shape: [2] });
  });
  await rejects(t, loadDemos(uneven), uneven, /inconsistent lengths: actions has 3 steps, observations have 2/);
});

t.test('NaN and infinite values', async (t) => {
  const dir = t.testdir();
  // writeDemos refuses them, so these files are written the way another tool would.
  for (const [name, value] of [['observations', NaN], ['rewards', Infinity]] as const) {
    const file = join(dir, `${name}.h5`);
    await writeHdf5Atomic(file, (h5) => {
      h5.create_attribute('format', 'imitate-demos');
      h5.create_attribute('format_version', new BigInt64Array([1n]), []);
      const g = h5.create_group('episodes').create_group('episode_0');
      const obs = new Float32Array(6);
      const rewards = new Float64Array(2);
      if (name === 'observations') obs[5] = value;
      else rewards[1] = value;
      g.create_dataset({ name: 'observations', data: obs, shape: [2, 3] });
      g.create_dataset({ name: 'actions', data: new Float32Array(2), shape: [2, 1] });
      g.create_dataset({ name: 'next_observations', data: new Float32Array(6), shape: [2, 3] });
      g.create_dataset({ name: 'rewards', data: rewards, shape: [2] });
      g.create_dataset({ name: 'terminated', data: new Uint8Array(2), shape: [2] });
      g.create_dataset({ name: 'truncated', data: new Uint8Array(2), shape: [2] });
    });
    await rejects(t, loadDemos(file), file, name === 'observations' ? /episode 0: observations\[1, 2\] is NaN/ : /episode 0: rewards\[1\] is Infinity/);
  }
});

t.test('zero episodes', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'none.h5');
  await writeHdf5Atomic(file, (h5) => {
    h5.create_attribute('format', 'imitate-demos');
    h5.create_attribute('format_version', new BigInt64Array([1n]), []);
    h5.create_group('episodes');
  });
  await rejects(t, loadDemos(file), file, /contains zero episodes/);
  const empty = makeDataset([], { envId: null, observationSpace: null, actionSpace: null, source: '', seed: null, randomReturn: null }, { obsDim: 3, actDim: 1 });
  await rejects(t, writeDemos(join(dir, 'w.h5'), empty), join(dir, 'w.h5'), /contains zero episodes/);
  const emptyDir = join(dir, 'empty');
  mkdirSync(emptyDir);
  await rejects(t, loadDemos(emptyDir), emptyDir, /neither a Minari dataset .* nor the authors' \.h5 episode files/);
});
