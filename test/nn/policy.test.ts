import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { Mlp } from '../../src/nn/mlp.js';
import { deterministicAction, loadPolicy, writePolicy } from '../../src/nn/policy.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const obs = Float32Array.from([0.3, -1.2, 2.5, 0.05]);

t.test('gaussian-tanh (SAC) round trip: act = tanh(μ)', async (t) => {
  const dir = t.testdir();
  const actor = new Mlp({ inputDim: 4, hidden: [16, 16], outputDim: 6, activation: 'relu', layerNorm: true }, new Rng(1), 'actor');
  await writePolicy(dir, { algo: 'sac', mlp: actor, head: 'gaussian-tanh', meta: { env: 'X-v0' } });
  // tanh is applied in JavaScript (policy.ts deterministicAction), on the network's first half.
  const want = Float32Array.from(tf.tidy(() => tf.slice(actor.apply(tf.tensor2d(obs, [1, 4])), [0, 0], [1, 3])).dataSync(), Math.tanh);
  const before = tf.memory().numTensors;
  const policy = await loadPolicy(dir);
  t.match(policy, { algo: 'sac', obsDim: 4, actDim: 3, head: 'gaussian-tanh', meta: { env: 'X-v0' } });
  const a = policy.act(obs);
  t.type(a, Float32Array);
  t.same(a, want, 'same action as the saved network');
  t.ok(a.every((v) => v >= -1 && v <= 1));
  policy.act(obs);
  policy.dispose();
  t.equal(tf.memory().numTensors, before, 'act and dispose leave no tensors');
  t.throws(() => policy.act(obs), /disposed/);
  actor.dispose();
});

t.test('tanh (TD3) round trip', async (t) => {
  const dir = t.testdir();
  const actor = new Mlp({ inputDim: 4, hidden: [8], outputDim: 2, activation: 'tanh' }, new Rng(2), 'actor');
  await writePolicy(dir, { algo: 'td3', mlp: actor, head: 'tanh' });
  const want = Float32Array.from(tf.tidy(() => actor.apply(tf.tensor2d(obs, [1, 4]))).dataSync(), Math.tanh);
  const policy = await loadPolicy(dir);
  t.equal(policy.actDim, 2);
  t.same(policy.act(obs), want);
  t.throws(() => policy.act(new Float32Array(3)), /observation has 3 values, expected 4/);
  policy.dispose();
  actor.dispose();
});

t.test('bad policy files are named', async (t) => {
  const dir = t.testdir();
  await t.rejects(loadPolicy(dir), /policy file not found: .*policy\.json/);
  const actor = new Mlp({ inputDim: 4, hidden: [8], outputDim: 3, activation: 'relu' }, new Rng(2), 'actor');
  await t.rejects(writePolicy(dir, { algo: 'sac', mlp: actor, head: 'gaussian-tanh' }), /needs an even output size, got 3/);
  await writePolicy(dir, { algo: 'td3', mlp: actor, head: 'tanh' });
  const file = join(dir, 'policy.json');
  const good = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(file, JSON.stringify({ ...good, head: 'beta' }));
  await t.rejects(loadPolicy(dir), /policy\.json: field 'head' must be 'gaussian-tanh' or 'tanh', got "beta"/);
  await writeFile(file, JSON.stringify({ ...good, actDim: 2 }));
  await t.rejects(loadPolicy(dir), /actDim 2 does not match a 'tanh' head on 3 outputs/);
  await writeFile(file, JSON.stringify({ ...good, mlp: { ...good.mlp, hidden: [9] } }));
  await t.rejects(loadPolicy(dir), /actor\.json: tensor 'dense0\/kernel' has shape \[4,8\], expected \[4,9\]/);
  await writeFile(file, JSON.stringify({ ...good, mlp: { ...good.mlp, activation: 'gelu' } }));
  await t.rejects(loadPolicy(dir), /field 'mlp': MlpSpec.activation must be/);
  actor.dispose();
});

t.test('a ReLU actor (the native acting path where the addon is active) acts as the saved policy, bit for bit', async (t) => {
  const dir = t.testdir();
  const actor = new Mlp({ inputDim: 4, hidden: [64, 64], outputDim: 6, activation: 'relu' }, new Rng(3), 'actor');
  await writePolicy(dir, { algo: 'sac', mlp: actor, head: 'gaussian-tanh' });
  const policy = await loadPolicy(dir);
  const fromLearner = deterministicAction(actor, 'gaussian-tanh', obs);
  t.same(policy.act(obs), fromLearner);
  // And both agree with the batched tf path to float32 rounding.
  const batched = tf.tidy(() => tf.slice(actor.apply(tf.tensor2d(obs, [1, 4])), [0, 0], [1, 3])).dataSync();
  for (let i = 0; i < 3; i++) t.ok(Math.abs(fromLearner[i] - Math.tanh(batched[i])) < 1e-6, `action ${i}: ${fromLearner[i]} vs ${Math.tanh(batched[i])}`);
  policy.dispose();
  actor.dispose();
});

t.test("sample draws tanh(μ + σ·ε) of a gaussian-tanh policy from the caller's stream", async (t) => {
  const dir = t.testdir();
  const actor = new Mlp({ inputDim: 4, hidden: [8], outputDim: 4, activation: 'relu' }, new Rng(3), 'actor');
  await writePolicy(dir, { algo: 'sac', mlp: actor, head: 'gaussian-tanh', meta: { logStdMin: -3, logStdMax: -0.5 } });
  const out = tf.tidy(() => actor.apply(tf.tensor2d(obs, [1, 4]))).dataSync();
  const policy = await loadPolicy(dir);
  const before = tf.memory().numTensors;
  const a = policy.sample(obs, new Rng(8));
  t.equal(tf.memory().numTensors, before, 'no tensors left');
  const eps = new Rng(8);
  for (let i = 0; i < 2; i++) {
    const logStd = Math.min(-0.5, Math.max(-3, out[2 + i]));
    const want = Math.fround(Math.tanh(out[i] + Math.exp(logStd) * eps.normal()));
    t.ok(Math.abs(a[i] - want) < 1e-6, `action ${i}: ${a[i]} vs ${want} (log σ clipped by the policy's meta)`);
  }
  t.notSame(policy.sample(obs, new Rng(9)), a, 'another stream, another action');
  policy.dispose();
  const tanhDir = join(dir, 'td3');
  await mkdir(tanhDir);
  const det = new Mlp({ inputDim: 4, hidden: [8], outputDim: 2, activation: 'relu' }, new Rng(3), 'actor');
  await writePolicy(tanhDir, { algo: 'td3', mlp: det, head: 'tanh' });
  const td3 = await loadPolicy(tanhDir);
  t.throws(() => td3.sample(obs, new Rng(0)), /a 'tanh' policy \(td3\) is deterministic/);
  td3.dispose();
  det.dispose();
  actor.dispose();
});
