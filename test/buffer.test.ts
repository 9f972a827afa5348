import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ReplayBuffer, type RewardFn } from '../src/buffer.js';
import { Rng } from '../src/rng.js';

/** An Rng stand-in whose int(n) returns the given rows in turn, to sample chosen windows. */
function scripted(rows: number[]): Rng {
  let i = 0;
  return {
    int(n: number) {
      const r = rows[i++ % rows.length];
      if (r >= n) throw new Error(`scripted row ${r} not below ${n}`);
      return r;
    },
  } as unknown as Rng;
}

/** Scalar rows: obs = v, action = -v, reward = r, nextObs = 100 + v. */
function addScalar(b: ReplayBuffer, v: number, r: number, terminated = false, truncated = false): void {
  b.add([v], [-v], r, [100 + v], terminated, truncated);
}

const close = (t: Test, actual: ArrayLike<number>, expected: number[], what: string) => {
  t.equal(actual.length, expected.length, `${what}: length`);
  expected.forEach((e, i) => t.ok(Math.abs(actual[i] - e) < 1e-5, `${what}[${i}] = ${actual[i]}, expected ${e}`));
};

/**
 * Ten rows, γ = 0.5, n = 3 (row: reward, flag):
 * 0:1  1:2  2:3 truncated  3:4  4:5 terminated  5:6  6:7  7:8  8:9  9:10 (newest; capacity 12)
 */
function handBuffer(): ReplayBuffer {
  const b = new ReplayBuffer({ capacity: 12, obsDim: 1, actDim: 1 });
  for (let v = 0; v < 10; v++) addScalar(b, v, v + 1, v === 4, v === 2);
  return b;
}

t.test('add and sample shapes, counters, transition()', async (t) => {
  const b = new ReplayBuffer({ capacity: 5, obsDim: 3, actDim: 2 });
  t.same([b.size, b.capacity, b.position, b.full], [0, 5, 0, false]);
  b.add([1, 2, 3], Float32Array.of(0.5, -0.5), 1.5, [4, 5, 6], false, true);
  b.add(Float32Array.of(7, 8, 9), [0, 1], -2, [1, 1, 1], true, false);
  t.same(b.state(), { capacity: 5, obsDim: 3, actDim: 2, size: 2, position: 2, added: 2 });
  const batch = b.sample(7, new Rng(1));
  t.same([batch.size, batch.obsDim, batch.actDim], [7, 3, 2]);
  t.same([batch.obs.length, batch.actions.length, batch.rewards.length, batch.nextObs.length, batch.dones.length, batch.discounts.length, batch.indices.length], [21, 14, 7, 21, 7, 7, 7]);
  t.ok(batch.indices.every((i) => i === 0 || i === 1));
  for (let i = 0; i < 7; i++) {
    const row = batch.indices[i];
    t.equal(batch.rewards[i], row === 0 ? 1.5 : -2);
    t.equal(batch.dones[i], row === 0 ? 0 : 1, 'truncated row bootstraps, terminated row does not');
    t.equal(batch.discounts[i], Math.fround(0.99));
  }
  t.same(b.transition(1), { obs: Float32Array.of(7, 8, 9), action: Float32Array.of(0, 1), reward: -2, nextObs: Float32Array.of(1, 1, 1), terminated: true, truncated: false });
  b.clear();
  t.same([b.size, b.position, b.state().added], [0, 0, 0]);
  t.throws(() => b.sample(1, new Rng(1)), /buffer is empty/);
});

t.test('uniform sampling with replacement', async (t) => {
  const b = new ReplayBuffer({ capacity: 10, obsDim: 1, actDim: 1 });
  for (let v = 0; v < 10; v++) addScalar(b, v, 0);
  const counts = new Array<number>(10).fill(0);
  const rng = new Rng(42);
  for (let k = 0; k < 50; k++) for (const i of b.sample(400, rng).indices) counts[i] += 1;
  const expected = 2000;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  t.ok(chi2 < 27.9, `chi-square ${chi2.toFixed(2)} below the 99.9 % quantile for 9 dof`);
  const small = new ReplayBuffer({ capacity: 10, obsDim: 1, actDim: 1 });
  addScalar(small, 3, 1);
  addScalar(small, 4, 1);
  const draws = small.sample(64, new Rng(5)).indices;
  t.ok(draws.every((i) => i < 2), 'only filled rows are drawn');
  t.ok(draws.includes(0) && draws.includes(1), 'a batch larger than the buffer draws with replacement');
});

t.test('ring wrap-around overwrites the oldest rows', async (t) => {
  const b = new ReplayBuffer({ capacity: 4, obsDim: 1, actDim: 1 });
  for (let v = 0; v < 6; v++) addScalar(b, v, v);
  t.same(b.state(), { capacity: 4, obsDim: 1, actDim: 1, size: 4, position: 2, added: 6 });
  t.ok(b.full);
  t.same([0, 1, 2, 3].map((i) => b.transition(i).obs[0]), [2, 3, 4, 5], 'insertion order starts at the write head');
  const seen = new Set(b.sample(200, new Rng(9)).obs);
  t.same([...seen].sort(), [2, 3, 4, 5]);
});

t.test('n-step windows against hand-computed returns', async (t) => {
  const b = handBuffer();
  const windows = [5, 1, 3, 2, 4, 8, 9, 0];
  const batch = b.sample(windows.length, scripted(windows), { nStep: 3, gamma: 0.5 });
  t.same(Array.from(batch.indices), windows);
  t.same(Array.from(batch.obs), windows, 'obs is the sampled row');
  t.same(Array.from(batch.actions), windows.map((v) => -v));
  // 5: full window 5,6,7; 1: cut by truncation at 2; 3: cut by termination at 4; 2: truncated itself;
  // 4: terminated itself; 8: reaches the newest row 9; 9: the newest row alone; 0: truncation on the 3rd row.
  close(t, batch.rewards, [6 + 0.5 * 7 + 0.25 * 8, 2 + 0.5 * 3, 4 + 0.5 * 5, 3, 5, 9 + 0.5 * 10, 10, 1 + 0.5 * 2 + 0.25 * 3], 'rewards');
  t.same(Array.from(batch.nextObs), [107, 102, 104, 102, 104, 109, 109, 102], 'nextObs of the last kept row');
  t.same(Array.from(batch.discounts), [0.125, 0.25, 0.25, 0.5, 0.5, 0.25, 0.5, 0.125], 'γ^k');
  t.same(Array.from(batch.dones), [0, 0, 1, 0, 1, 0, 0, 0], 'only a true termination stops bootstrapping');

  const one = b.sample(3, scripted([1, 2, 4]), { gamma: 0.5 });
  t.same(Array.from(one.rewards), [2, 3, 5], 'nStep 1 is the plain transition');
  t.same(Array.from(one.nextObs), [101, 102, 104]);
  t.same(Array.from(one.discounts), [0.5, 0.5, 0.5]);
  t.same(Array.from(one.dones), [0, 0, 1]);
});

t.test('n-step windows across the ring wrap stop at the newest row', async (t) => {
  const b = new ReplayBuffer({ capacity: 5, obsDim: 1, actDim: 1 });
  for (let v = 0; v < 7; v++) addScalar(b, v, v + 1);
  // Physical rows hold values [5, 6, 2, 3, 4]; the write head (oldest row) is row 2.
  const batch = b.sample(4, scripted([4, 3, 0, 1]), { nStep: 3, gamma: 0.5 });
  t.same(Array.from(batch.obs), [4, 3, 5, 6]);
  close(t, batch.rewards, [5 + 0.5 * 6 + 0.25 * 7, 4 + 0.5 * 5 + 0.25 * 6, 6 + 0.5 * 7, 7], 'rewards');
  t.same(Array.from(batch.nextObs), [106, 105, 106, 106], 'windows never cross the write head into old rows');
  t.same(Array.from(batch.discounts), [0.125, 0.125, 0.25, 0.5]);
  t.same(Array.from(batch.dones), [0, 0, 0, 0]);
});

t.test('terminated wins over truncated; the paper quirk is opt-in', async (t) => {
  const both = new ReplayBuffer({ capacity: 4, obsDim: 1, actDim: 1 });
  addScalar(both, 0, 1, true, true);
  t.equal(both.sample(1, scripted([0])).dones[0], 1);

  const b = handBuffer();
  // Window 3, n = 2: the termination on row 4 is the window's last row.
  t.equal(b.sample(1, scripted([3]), { nStep: 2, gamma: 0.5 }).dones[0], 1);
  const quirk = b.sample(1, scripted([3]), { nStep: 2, gamma: 0.5, paperNStepQuirk: true });
  t.same([quirk.dones[0], quirk.nextObs[0], quirk.discounts[0], quirk.rewards[0]], [0, 104, 0.25, 6.5], 'the paper bootstraps from the terminal next state');
  t.equal(b.sample(1, scripted([3]), { nStep: 3, gamma: 0.5, paperNStepQuirk: true }).dones[0], 1, 'an earlier termination is trimmed even with the quirk');
  const end = new ReplayBuffer({ capacity: 4, obsDim: 1, actDim: 1 });
  addScalar(end, 0, 1);
  addScalar(end, 1, 1, true);
  t.equal(end.sample(1, scripted([0]), { nStep: 5, paperNStepQuirk: true }).dones[0], 0, 'quirk: a termination on the newest row also counts as not trimmed');
});

t.test('rewardFn is called once with every window row and replaces stored rewards', async (t) => {
  const b = handBuffer();
  const calls: { obs: number[]; actions: number[]; nextObs: number[]; count: number }[] = [];
  const rewardFn: RewardFn = (obs, actions, nextObs, count) => {
    calls.push({ obs: Array.from(obs), actions: Array.from(actions), nextObs: Array.from(nextObs), count });
    return obs.map((o) => 10 * o);
  };
  const batch = b.sample(4, scripted([5, 3, 9, 2]), { nStep: 3, gamma: 0.5, rewardFn });
  t.equal(calls.length, 1, 'one call per sample()');
  t.same(calls[0], { obs: [5, 6, 7, 3, 4, 9, 2], actions: [-5, -6, -7, -3, -4, -9, -2], nextObs: [105, 106, 107, 103, 104, 109, 102], count: 7 });
  close(t, batch.rewards, [50 + 0.5 * 60 + 0.25 * 70, 30 + 0.5 * 40, 90, 20], 'rewards from rewardFn');
  t.same(Array.from(batch.dones), [0, 1, 0, 0]);

  const plain = b.sample(2, scripted([4, 1]), { rewardFn });
  t.equal(calls.at(-1)?.count, 2);
  t.same(Array.from(plain.rewards), [40, 10]);
  t.throws(() => b.sample(2, scripted([0]), { rewardFn: () => new Float32Array(1) }), /must return 2 rewards/);
  t.throws(() => b.sample(1, scripted([0]), { rewardFn: () => Float32Array.of(NaN) }), /returned NaN for window row 0 \(buffer row 0\)/);
});

t.test('same seed, same batch; output arrays reused unless asked', async (t) => {
  const b = new ReplayBuffer({ capacity: 50, obsDim: 2, actDim: 1 });
  const fill = new Rng(3);
  for (let i = 0; i < 50; i++) b.add([fill.normal(), fill.normal()], [fill.uniform(-1, 1)], fill.normal(), [fill.normal(), fill.normal()], fill.random() < 0.05, fill.random() < 0.05);
  const x = b.sample(16, new Rng(11), { nStep: 4, reuse: false });
  const y = b.sample(16, new Rng(11), { nStep: 4, reuse: false });
  t.same(x, y);
  t.not(x.obs, y.obs, 'reuse: false gives fresh arrays');
  const r1 = b.sample(16, new Rng(1));
  const r2 = b.sample(16, new Rng(2));
  t.equal(r1.obs, r2.obs, 'by default the same batch size reuses its arrays');
  t.not(b.sample(8, new Rng(1)).obs, r1.obs);
});

t.test('save/load round trip is exact and a resumed buffer continues identically', async (t) => {
  const dir = t.testdir();
  const b = new ReplayBuffer({ capacity: 6, obsDim: 2, actDim: 1 });
  const fill = new Rng(4);
  const row = () => [[fill.normal(), fill.normal()], [fill.uniform(-1, 1)], fill.normal(), [fill.normal(), fill.normal()], fill.random() < 0.2, fill.random() < 0.2] as const;
  for (let i = 0; i < 4; i++) b.add(...row());
  await b.saveTo(dir);
  const partial = await ReplayBuffer.loadFrom(dir);
  t.same(partial.state(), b.state());
  for (let i = 0; i < 4; i++) t.same(partial.transition(i), b.transition(i));

  for (let i = 0; i < 5; i++) b.add(...row()); // wraps: position 3, 9 rows added
  await b.saveTo(dir);
  const names = await readdir(dir);
  t.equal(names.length, 7, 'manifest and six data files: the first save was removed, no temp files remain');
  t.notOk(names.some((n) => n.includes('.tmp')), 'no temp files');
  const suffixes = names.map((n) => n.replace(/^buffer-[0-9a-f]+-/, '')).sort();
  t.same(suffixes, ['actions.f32', 'buffer.json', 'next-obs.f32', 'obs.f32', 'rewards.f32', 'terminated.u8', 'truncated.u8']);
  const manifest = JSON.parse(await readFile(join(dir, 'buffer.json'), 'utf8'));
  t.match(manifest, { format: 'imitate-replay-buffer', version: 1, capacity: 6, obsDim: 2, actDim: 1, size: 6, position: 3, added: 9 });

  const c = await ReplayBuffer.loadFrom(dir);
  t.same(c.state(), b.state());
  for (let i = 0; i < 6; i++) t.same(c.transition(i), b.transition(i));
  const next = row();
  b.add(...next);
  c.add(...next);
  t.same(c.sample(32, new Rng(8), { nStep: 3, reuse: false }), b.sample(32, new Rng(8), { nStep: 3, reuse: false }));

  const empty = t.testdir();
  await new ReplayBuffer({ capacity: 3, obsDim: 1, actDim: 1 }).saveTo(join(empty, 'nested'));
  t.equal((await ReplayBuffer.loadFrom(join(empty, 'nested'))).size, 0, 'an empty buffer round-trips');
});

t.test('load errors name the file and the problem', async (t) => {
  const fresh = async () => {
    const dir = t.testdir();
    const b = new ReplayBuffer({ capacity: 4, obsDim: 2, actDim: 1 });
    for (let v = 0; v < 3; v++) b.add([v, v], [0], v, [v, v + 1], false, false);
    await b.saveTo(dir);
    const manifest = JSON.parse(await readFile(join(dir, 'buffer.json'), 'utf8'));
    return { dir, manifest, file: (f: string) => join(dir, manifest.files[f] as string) };
  };
  const writeManifest = (dir: string, m: unknown) => writeFile(join(dir, 'buffer.json'), JSON.stringify(m));

  await t.rejects(ReplayBuffer.loadFrom(t.testdir()), /buffer\.json is missing; no replay buffer was saved/);
  let f = await fresh();
  await truncate(f.file('obs'), 10);
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /obs\.f32 has 10 bytes, expected 24 \(3 rows × 2 × 4 bytes\); the file is truncated/);
  f = await fresh();
  await rm(f.file('rewards'));
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /rewards\.f32 is missing \(named by .*buffer\.json for 'rewards'\)/);
  f = await fresh();
  await writeManifest(f.dir, { ...f.manifest, obsDim: 3 });
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /obs\.f32 has 24 bytes, expected 36.*dims are wrong/);
  f = await fresh();
  await writeManifest(f.dir, { ...f.manifest, version: 2 });
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /field 'version' must be 1/);
  await writeManifest(f.dir, { ...f.manifest, position: 1 });
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /'position' must equal size \(3\)/);
  await writeManifest(f.dir, { ...f.manifest, size: 5 });
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /field 'size' must be an integer in \[0, 4\], got 5/);
  await writeManifest(f.dir, { ...f.manifest, files: { ...f.manifest.files, obs: '../elsewhere.f32' } });
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /files\.obs must be a file name/);
  await writeFile(join(f.dir, 'buffer.json'), '{"format": ');
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /buffer\.json is not valid JSON/);
  f = await fresh();
  await writeFile(f.file('rewards'), Buffer.from(Float32Array.of(0, NaN, 2).buffer));
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /row 1 of 'rewards' holds NaN.*corrupt/);
  f = await fresh();
  await writeFile(f.file('terminated'), Uint8Array.of(0, 0, 7));
  await t.rejects(ReplayBuffer.loadFrom(f.dir), /row 2 of 'terminated' holds 7, expected 0 or 1/);
});

t.test('bad input is rejected with the field named, and leaves the buffer unchanged', async (t) => {
  for (const capacity of [0, 1_000_001, 1.5, NaN]) {
    t.throws(() => new ReplayBuffer({ capacity, obsDim: 1, actDim: 1 }), /capacity must be an integer in \[1, 1000000\]/);
  }
  t.throws(() => new ReplayBuffer({ capacity: 4, obsDim: 0, actDim: 1 }), /obsDim must be a positive integer/);
  t.throws(() => new ReplayBuffer({ capacity: 4, obsDim: 1, actDim: -1 }), /actDim must be a positive integer/);
  const b = new ReplayBuffer({ capacity: 2, obsDim: 2, actDim: 1 });
  b.add([1, 1], [1], 1, [1, 1], false, false);
  b.add([2, 2], [2], 2, [2, 2], false, false);
  const before = b.transition(0);
  t.throws(() => b.add([1, 2, 3], [0], 0, [0, 0], false, false), /obs has length 3, expected obsDim = 2/);
  t.throws(() => b.add([1, 2], [0, 0], 0, [0, 0], false, false), /action has length 2, expected actDim = 1/);
  t.throws(() => b.add([0, 0], [0], 0, [0, Infinity], false, false), /nextObs\[1\] is Infinity/);
  t.throws(() => b.add([0, NaN], [0], 0, [0, 0], false, false), /obs\[1\] is NaN/);
  t.throws(() => b.add([0, 0], [0], NaN, [0, 0], false, false), /reward must be a finite number, got NaN/);
  t.throws(() => b.add([0, 0], 3 as never, 0, [0, 0], false, false), /action must be an array of actDim = 1 numbers, got number/);
  t.throws(() => b.add([0, 0], [0], 0, [0, 0], 1 as never, false), /terminated must be a boolean/);
  t.same(b.transition(0), before, 'a rejected row overwrote nothing');
  t.same(b.state().added, 2);
  t.throws(() => b.transition(2), /index must be an integer in \[0, 2\)/);
  const rng = new Rng(1);
  t.throws(() => b.sample(0, rng), /batchSize must be a positive integer/);
  t.throws(() => b.sample(1, rng, { nStep: 0 }), /nStep must be a positive integer/);
  t.throws(() => b.sample(1, rng, { gamma: 1.5 }), /gamma must be in \[0, 1\]/);
});
