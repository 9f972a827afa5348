import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { AbsorbingBook, discriminatorInputs, expertRows, inputWidth, ROW_ABSORBING, ROW_NORMAL, ROW_TO_ABSORBING } from '../../../agents/gail/absorbing.js';
import { initBackend } from '../../../src/backend.js';
import { ReplayBuffer } from '../../../src/buffer.js';
import { Rng } from '../../../src/rng.js';
import { AbsorbingState, wrapAction, wrapObs } from '../../../src/wrappers/absorbing-state.js';
import { makeGail, syntheticExpert } from '../../helpers/gail-fixtures.js';
import { WalkEnv } from '../../helpers/toy-envs.js';

await initBackend();

const f32 = (...v: number[]) => Float32Array.from(v);

t.test('a hand-built episode: the terminal step becomes the absorbing pair, time limits do not', async (t) => {
  const buffer = new ReplayBuffer({ capacity: 16, obsDim: 2, actDim: 1 });
  const book = new AbsorbingBook(16, true);
  const s = [f32(0, 1), f32(1, 2), f32(2, 3), f32(3, 4)];
  const a = [f32(0.1), f32(0.2), f32(0.3)];
  book.store(buffer, { obs: s[0], action: a[0], reward: 1, nextObs: s[1], terminated: false, truncated: false });
  book.store(buffer, { obs: s[1], action: a[1], reward: 1, nextObs: s[2], terminated: false, truncated: false });
  book.store(buffer, { obs: s[2], action: a[2], reward: 1, nextObs: s[3], terminated: true, truncated: false });
  t.equal(buffer.size, 4, 'three steps, four rows');
  t.same(Array.from(book.kinds.subarray(0, 4)), [ROW_NORMAL, ROW_NORMAL, ROW_TO_ABSORBING, ROW_ABSORBING]);
  for (const i of [2, 3]) {
    const row = buffer.transition(i);
    t.ok(row.terminated && !row.truncated, `row ${i} is terminal (no bootstrap)`);
    t.same([Array.from(row.obs), Array.from(row.action), Array.from(row.nextObs)], [[2, 3], [Array.from(a[2])[0]], [3, 4]], `row ${i} keeps the original terminal transition for the learner`);
  }
  // The discriminator sees exactly what the AbsorbingState wrapper defines.
  const layout = { obsDim: 2, actDim: 1, absorbing: true, stateOnly: false };
  const rows = [0, 1, 2, 3].map((i) => buffer.transition(i));
  const x = discriminatorInputs(layout, Float32Array.from(rows.flatMap((r) => [...r.obs])), Float32Array.from(rows.flatMap((r) => [...r.action])), Float32Array.from(rows.flatMap((r) => [...r.nextObs])), 4, (i) => book.kinds[i]);
  const w = inputWidth(layout);
  t.equal(w, 5);
  t.same(Array.from(x.subarray(0, w)), [...wrapObs(s[0]), ...wrapAction(a[0])], 'normal row: (s⊕0, a⊕0)');
  t.same(Array.from(x.subarray(2 * w, 3 * w)), [...wrapObs(s[2]), ...wrapAction(a[2])], 'to-absorbing row: (s⊕0, a⊕0)');
  t.same(Array.from(x.subarray(3 * w, 4 * w)), [0, 0, 1, 0, 1], 'absorbing row: (s_abs, a_abs)');
  const ss = discriminatorInputs({ ...layout, stateOnly: true }, Float32Array.from(rows.flatMap((r) => [...r.obs])), Float32Array.from(rows.flatMap((r) => [...r.action])), Float32Array.from(rows.flatMap((r) => [...r.nextObs])), 4, (i) => book.kinds[i]);
  t.same(Array.from(ss.subarray(2 * 6, 3 * 6)), [2, 3, 0, 0, 0, 1], 'state-only to-absorbing row: (s⊕0, s_abs)');
  t.same(Array.from(ss.subarray(3 * 6, 4 * 6)), [0, 0, 1, 0, 0, 1], 'state-only absorbing row: (s_abs, s_abs)');
  book.store(buffer, { obs: s[0], action: a[0], reward: 1, nextObs: s[1], terminated: true, truncated: true });
  t.equal(buffer.size, 5, 'a termination that is also a truncation is not wrapped');
  book.store(buffer, { obs: s[0], action: a[0], reward: 1, nextObs: s[1], terminated: false, truncated: true });
  t.equal(buffer.size, 6, 'a time limit is not wrapped');
  t.same(Array.from(book.kinds.subarray(4, 6)), [ROW_NORMAL, ROW_NORMAL]);
  const off = new AbsorbingBook(16, false);
  const b2 = new ReplayBuffer({ capacity: 16, obsDim: 2, actDim: 1 });
  off.store(b2, { obs: s[2], action: a[2], reward: 1, nextObs: s[3], terminated: true, truncated: false });
  t.equal(b2.size, 1, 'absorbing off: one row per step');
});

t.test('the pair matches the AbsorbingState wrapper on a real terminating env', async (t) => {
  const env = new AbsorbingState(new WalkEnv());
  let [obs] = env.reset({ seed: 1 });
  let info: Record<string, unknown> = {};
  let action = f32(1);
  for (let i = 0; i < 100; i++) {
    const r = env.step(action);
    info = r[4];
    if (r[2]) break;
    obs = r[0];
    action = f32(1);
  }
  const [first, second] = info.absorbing as { obs: Float32Array; action: Float32Array; nextObs: Float32Array }[];
  const layout = { obsDim: 1, actDim: 1, absorbing: true, stateOnly: false };
  const raw = obs.slice(0, 1);
  const x = discriminatorInputs(layout, Float32Array.from([...raw, ...raw]), Float32Array.from([...action, ...action]), new Float32Array(2), 2, (i) => (i === 0 ? ROW_TO_ABSORBING : ROW_ABSORBING));
  t.same(Array.from(x.subarray(0, 4)), [...first.obs, ...first.action], 'first row = wrapper\'s (s⊕0, a⊕0)');
  t.same(Array.from(x.subarray(4, 8)), [...second.obs, ...second.action], 'second row = wrapper\'s (s_abs, a_abs)');
});

t.test('expert rows get the pair only where a true termination was kept', async (t) => {
  const r = expertRows(Uint8Array.from([0, 0, 1]), true);
  t.same(Array.from(r.source), [0, 1, 2, 2]);
  t.same(Array.from(r.kinds), [ROW_NORMAL, ROW_NORMAL, ROW_TO_ABSORBING, ROW_ABSORBING]);
  t.same(Array.from(expertRows(Uint8Array.from([0, 1]), false).source), [0, 1], 'absorbing off: rows unchanged');
});

t.test('rewards are recomputed with the current discriminator for every row of an n-step window', async (t) => {
  const gail = makeGail({ monitor: { enabled: false } }, syntheticExpert(2, 1, 40, 3));
  const buffer = new ReplayBuffer({ capacity: 1000, obsDim: 2, actDim: 1 });
  const rng = new Rng(4);
  for (let i = 0; i < 30; i++) {
    const s = f32(rng.normal(), rng.normal());
    gail.store(buffer, { obs: s, action: f32(rng.uniform(-1, 1)), reward: 123, nextObs: f32(rng.normal(), rng.normal()), terminated: i === 9, truncated: false });
  }
  const gamma = 0.9;
  const check = (label: string) => {
    const batch = buffer.sample(8, new Rng(7), { nStep: 3, gamma, rewardFn: gail.rewardFn, reuse: false });
    // Closed form: walk each window by hand and sum γ^j r_D(row j), row by row.
    for (let i = 0; i < batch.size; i++) {
      let row = batch.indices[i];
      let ret = 0;
      for (let j = 0; j < 3; j++) {
        const tr = buffer.transition(row);
        ret += gamma ** j * gail.rewards(tr.obs, tr.action, tr.nextObs, 1, () => gail.book.kinds[row])[0];
        if (tr.terminated || row === buffer.size - 1) break;
        row += 1;
      }
      t.ok(Math.abs(batch.rewards[i] - ret) < 1e-5, `${label}: sample ${i} (row ${batch.indices[i]}) reward ${batch.rewards[i].toFixed(5)} = Σγ^j r_D ${ret.toFixed(5)}`);
    }
    return Array.from(batch.rewards);
  };
  const before = check('initial D');
  gail.afterUpdate(buffer);
  gail.afterUpdate(buffer);
  const after = check('after two D updates');
  t.notSame(after, before, 'the same samples get new rewards once D has changed');
  t.equal(buffer.size, 31, 'the terminal step at i = 9 added the absorbing row');
  gail.dispose();
});

t.test('tensors are freed: rewards, D updates and monitoring leave tf.memory flat', async (t) => {
  const gail = makeGail({ precondition: { type: 'purple' } }, syntheticExpert(2, 1, 130, 3, 1, true));
  const buffer = new ReplayBuffer({ capacity: 1000, obsDim: 2, actDim: 1 });
  const rng = new Rng(4);
  for (let i = 0; i < 50; i++) gail.store(buffer, { obs: f32(rng.normal(), 0), action: f32(0.5), reward: 0, nextObs: f32(0, 1), terminated: i % 20 === 19, truncated: false });
  const learner = { obsDim: 2, actDim: 1, act: (o: Float32Array) => f32(Math.tanh(o[0] + o[1])) } as never;
  const round = () => {
    buffer.sample(16, rng, { nStep: 3, rewardFn: gail.rewardFn });
    gail.afterUpdate(buffer);
    gail.beforeLogRow(buffer, learner);
  };
  round();
  const n = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) round();
  t.equal(tf.memory().numTensors, n);
  gail.dispose();
});

t.test('paper quirk: time limits stored as terminations, without the absorbing pair', async (t) => {
  const buffer = new ReplayBuffer({ capacity: 8, obsDim: 1, actDim: 1 });
  const book = new AbsorbingBook(8, true, true);
  book.store(buffer, { obs: f32(0), action: f32(0), reward: 0, nextObs: f32(1), terminated: false, truncated: true });
  t.equal(buffer.size, 1, 'one row');
  const row = buffer.transition(0);
  t.ok(row.terminated && !row.truncated, 'stored as a termination: no bootstrap');
  t.equal(book.kinds[0], ROW_NORMAL, 'not wrapped');
});
