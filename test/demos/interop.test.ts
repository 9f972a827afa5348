/**
 * Files written by Python's h5py in the paper authors' layout and in Minari's (fixtures made by
 * test/fixtures/gen_demos.py, values in test/fixtures/demos/expected.json) load with the same
 * values.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { writeHdf5Atomic } from '../../src/demos/hdf5.js';
import { loadDemos, type DemoEnv } from '../../src/demos/index.js';
import { Box } from '../../src/spaces.js';

const fixtures = fileURLToPath(new URL('../fixtures/demos/', import.meta.url));
const expected = JSON.parse(readFileSync(`${fixtures}expected.json`, 'utf8')) as {
  authors: { obs0: number[]; acs: number[]; obs1: number[]; dones1: number[]; ep_len: number; ep_env_ret: number }[];
  minari: { observations: number[]; actions: number[]; rewards: number[]; terminations: number[]; truncations: number[] }[];
};
const pendulum = (maxEpisodeSteps: number | null): DemoEnv => ({
  id: 'Pendulum-v1',
  observationSpace: new Box([-1, -1, -8], [1, 1, 8]),
  actionSpace: new Box(-2, 2, [1]),
  maxEpisodeSteps,
});
const f32 = (xs: number[]) => Float32Array.from(xs);

t.test("the authors' layout: a directory of .h5 files, one episode each, in sorted order", async (t) => {
  const { dataset, layout, files } = await loadDemos(`${fixtures}authors`, { env: pendulum(200) });
  t.equal(layout, 'authors');
  t.same(files.map((f) => f.replace(/.*\//, '')), ['demo_000.h5', 'demo_001.h5']);
  t.equal(dataset.obsDim, 3);
  t.equal(dataset.actDim, 1);
  t.equal(dataset.metadata.envId, null, 'the layout records no env id');
  expected.authors.forEach((want, i) => {
    const ep = dataset.episodes[i];
    t.same(ep.observations, f32(want.obs0), `episode ${i} obs0 (float64 in the file, float32 here)`);
    t.same(ep.actions, f32(want.acs));
    t.same(ep.nextObservations, f32(want.obs1));
    t.equal(ep.rewards, null, 'no per-step rewards in this layout');
    t.equal(ep.return, want.ep_env_ret);
    t.equal(ep.terminated.length, want.ep_len);
    // A done before the env's 200-step limit is a terminal state.
    t.same(Array.from(ep.terminated), want.dones1);
    t.same(Array.from(ep.truncated), want.dones1.map(() => 0));
  });
  t.same(dataset.metadata.expertReturn.mean, (expected.authors[0].ep_env_ret + expected.authors[1].ep_env_ret) / 2);
});

t.test("the authors' layout: a done at the env's step limit is a truncation", async (t) => {
  const { dataset } = await loadDemos(`${fixtures}authors/demo_001.h5`, { env: pendulum(expected.authors[1].ep_len) });
  const ep = dataset.episodes[0];
  t.equal(ep.terminated.at(-1), 0);
  t.equal(ep.truncated.at(-1), 1);
});

t.test('Minari: a dataset directory with data/main_data.hdf5, T + 1 observations', async (t) => {
  const { dataset, layout } = await loadDemos(`${fixtures}minari/pendulum-test-v0`, { env: pendulum(200) });
  t.equal(layout, 'minari');
  t.equal(dataset.metadata.envId, 'Pendulum-v1', 'env id from the env_spec attribute');
  t.equal(dataset.episodes.length, expected.minari.length);
  expected.minari.forEach((want, i) => {
    const ep = dataset.episodes[i];
    const T = want.rewards.length;
    t.same(ep.observations, f32(want.observations.slice(0, T * 3)), `episode ${i} observations`);
    t.same(ep.nextObservations, f32(want.observations.slice(3)), `episode ${i} next observations`);
    t.same(ep.actions, f32(want.actions));
    t.same(ep.rewards, Float64Array.from(want.rewards), 'float64 rewards exact');
    t.same(Array.from(ep.terminated), want.terminations);
    t.same(Array.from(ep.truncated), want.truncations);
    t.equal(ep.return, want.rewards.reduce((a, b) => a + b, 0));
  });
  const direct = await loadDemos(`${fixtures}minari/pendulum-test-v0/data/main_data.hdf5`);
  t.same(direct.dataset.episodes, dataset.episodes, 'the HDF5 file itself loads the same');
});

t.test("an authors'-layout file with several episodes is split by ep_lens", async (t) => {
  const file = `${t.testdir()}/two.h5`;
  const obs0 = Float64Array.from({ length: 5 * 3 }, (_, i) => i / 10);
  const obs1 = obs0.map((v) => v + 100);
  await writeHdf5Atomic(file, (h5) => {
    h5.create_dataset({ name: 'obs0', data: obs0, shape: [5, 3] });
    h5.create_dataset({ name: 'acs', data: Float64Array.from([0.5, -0.5, 1, 1.5, -2]), shape: [5, 1] });
    h5.create_dataset({ name: 'obs1', data: obs1, shape: [5, 3] });
    h5.create_dataset({ name: 'dones1', data: Float64Array.from([0, 1, 0, 0, 1]), shape: [5] });
    h5.create_dataset({ name: 'ep_lens', data: Float64Array.from([2, 3]), shape: [2] });
    h5.create_dataset({ name: 'ep_env_rets', data: Float64Array.from([-1.5, -7.25]), shape: [2] });
  });
  const { dataset } = await loadDemos(file, { env: pendulum(3) });
  t.equal(dataset.episodes.length, 2);
  t.same(dataset.episodes[1].observations, f32(Array.from(obs0.slice(6))));
  t.same(dataset.episodes[1].nextObservations, f32(Array.from(obs1.slice(6))));
  t.same(dataset.episodes[1].actions, f32([1, 1.5, -2]));
  t.same([dataset.episodes[0].return, dataset.episodes[1].return], [-1.5, -7.25]);
  t.same(Array.from(dataset.episodes[0].terminated), [0, 1], 'a done before the limit of 3 steps is terminal');
  t.same(Array.from(dataset.episodes[1].truncated), [0, 0, 1], 'a done at the limit is a truncation');
});
