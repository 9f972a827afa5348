import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadDemos, writeDemos, type DemoDataset } from '../../src/demos/index.js';
import { syntheticDataset } from '../helpers/demo-data.js';

const PYTHON = '/usr/bin/python3';

function sameDataset(t: Test, got: DemoDataset, want: DemoDataset): void {
  t.equal(got.obsDim, want.obsDim);
  t.equal(got.actDim, want.actDim);
  t.equal(got.episodes.length, want.episodes.length);
  want.episodes.forEach((w, i) => {
    const g = got.episodes[i];
    t.same(g.observations, w.observations, `episode ${i} observations`);
    t.same(g.actions, w.actions, `episode ${i} actions`);
    t.same(g.nextObservations, w.nextObservations, `episode ${i} next observations`);
    t.same(g.rewards, w.rewards, `episode ${i} rewards (float64, bit for bit)`);
    t.same(g.terminated, w.terminated, `episode ${i} terminated`);
    t.same(g.truncated, w.truncated, `episode ${i} truncated`);
    t.equal(g.return, w.return, `episode ${i} return`);
  });
  t.same(got.metadata, want.metadata, 'metadata');
}

t.test('write then read is exact: values, flags, metadata', async (t) => {
  const file = join(t.testdir(), 'demos.h5');
  const ds = syntheticDataset([7, 1, 12, 5], 3);
  t.ok(ds.episodes[0].rewards!.some((r) => Math.fround(r) !== r), 'the rewards need float64');
  await writeDemos(file, ds);
  const loaded = await loadDemos(file);
  t.equal(loaded.layout, 'imitate');
  sameDataset(t, loaded.dataset, ds);
  t.equal(loaded.dataset.metadata.seed, 2 ** 40 + 3, 'a seed above 2^32 survives');
});

t.test('an episode without per-step rewards keeps its return', async (t) => {
  const file = join(t.testdir(), 'demos.h5');
  const ds = syntheticDataset([4, 6], 5);
  const noRewards = { ...ds, episodes: ds.episodes.map((ep) => ({ ...ep, rewards: null, return: 42.125 })) };
  await writeDemos(file, noRewards);
  const { dataset } = await loadDemos(file);
  t.equal(dataset.episodes[1].rewards, null);
  t.equal(dataset.episodes[1].return, 42.125);
});

t.test('writing is atomic: a dataset that fails its checks leaves the old file and no temporary', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'demos.h5');
  await writeDemos(file, syntheticDataset([3], 1));
  const before = readFileSync(file);
  const bad = syntheticDataset([3], 2);
  (bad.episodes[0].observations as Float32Array)[4] = NaN;
  await t.rejects(writeDemos(file, bad), /observations\[1, 1\] is NaN/);
  t.same(readFileSync(file), before, 'old file intact');
  t.same(readdirSync(dir), ['demos.h5'], 'no temporary left');
});

t.test("Python's h5py reads a file we write, with the same values", async (t) => {
  const file = join(t.testdir(), 'demos.h5');
  const ds = syntheticDataset([6, 3], 9);
  await writeDemos(file, ds);
  const script = [
    'import json, sys',
    'try:',
    '    import h5py',
    'except ImportError as e:',
    '    print("NO_H5PY", e); sys.exit(3)',
    'f = h5py.File(sys.argv[1], "r")',
    'out = {"attrs": {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}, "episodes": {}}',
    'for name, g in f["episodes"].items():',
    '    out["episodes"][name] = {k: {"dtype": str(d.dtype), "shape": list(d.shape), "values": d[()].ravel().astype(float).tolist()} for k, d in g.items()}',
    '    out["episodes"][name]["return"] = float(g.attrs["return"])',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
  if (run.error !== undefined || run.status === 3) {
    t.fail(`h5py is needed for this test: install Debian's python3-h5py for ${PYTHON} (.ci/run does) — ${run.error?.message ?? run.stdout.trim()}`);
    return;
  }
  t.equal(run.status, 0, `python exited cleanly: ${run.stderr}`);
  const py = JSON.parse(run.stdout) as {
    attrs: Record<string, unknown>;
    episodes: Record<string, Record<string, { dtype: string; shape: number[]; values: number[] } | number>>;
  };
  t.equal(py.attrs.format, 'imitate-demos');
  t.equal(py.attrs.env_id, 'Synthetic-v0');
  t.equal(py.attrs.seed, 2 ** 40 + 3);
  t.equal(py.attrs.total_episodes, 2);
  t.equal(py.attrs.total_steps, 9);
  t.same(JSON.parse(py.attrs.action_space as string), ds.metadata.actionSpace);
  t.same(Object.keys(py.episodes).sort(), ['episode_0', 'episode_1']);
  ds.episodes.forEach((ep, i) => {
    const g = py.episodes[`episode_${i}`] as Record<string, { dtype: string; shape: number[]; values: number[] }>;
    const T = ep.terminated.length;
    t.same(g.observations, { dtype: 'float32', shape: [T, 3], values: Array.from(ep.observations) });
    t.same(g.actions, { dtype: 'float32', shape: [T, 2], values: Array.from(ep.actions) });
    t.same(g.next_observations, { dtype: 'float32', shape: [T, 3], values: Array.from(ep.nextObservations) });
    t.same(g.rewards, { dtype: 'float64', shape: [T], values: Array.from(ep.rewards!) });
    t.same(g.terminated, { dtype: 'uint8', shape: [T], values: Array.from(ep.terminated) });
    t.same(g.truncated, { dtype: 'uint8', shape: [T], values: Array.from(ep.truncated) });
    t.equal(py.episodes[`episode_${i}`].return, ep.return);
  });
});

t.test('episodes are read in numeric order (episode_10 after episode_2)', async (t) => {
  const file = join(t.testdir(), 'demos.h5');
  const ds = syntheticDataset(Array.from({ length: 12 }, (_, i) => i + 1), 4);
  await writeDemos(file, ds);
  const { dataset } = await loadDemos(file);
  t.same(dataset.episodes.map((e) => e.terminated.length), ds.episodes.map((e) => e.terminated.length));
});
