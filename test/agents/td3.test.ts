import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { randomBatch as sharedRandomBatch } from '../helpers/random-batch.js';
import { parseTd3Config, Td3, td3Entry, TD3_PAPER_PRESET, type Td3ConfigInput } from '../../agents/td3.js';
import { initBackend } from '../../src/backend.js';
import type { Batch } from '../../src/learner.js';
import { loadPolicy } from '../../src/nn/policy.js';
import type { Mlp } from '../../src/nn/mlp.js';
import { registerOptimizer } from '../../src/optim/registry.js';
import { Rng } from '../../src/rng.js';
import { z } from 'zod';

await initBackend();
// Plain SGD (step = −lr·g) makes the applied gradient visible in the weights.
registerOptimizer('td3-test-sgd', (o) => tf.train.sgd(o.lr), z.strictObject({ lr: z.number().positive() }));

const OBS = 3;
const ACT = 2;
const TINY: Td3ConfigInput = { actorNet: [8, 8], criticNet: [8, 8] };

function makeTd3(config: Td3ConfigInput, seed = 0, obsDim = OBS, actDim = ACT): Td3 {
  return new Td3(parseTd3Config({ ...TINY, ...config }), { obsDim, actDim, rng: new Rng(seed).stream('learner') });
}

function randomBatch(rng: Rng, size: number, obsDim = OBS, actDim = ACT): Batch {
  return sharedRandomBatch(rng, { size, obsDim, actDim, rewardStd: 2, doneRate: 0.2 });
}

const values = (net: Mlp) => net.variables.map((v) => Array.from(v.dataSync()));

/** Float64 forward pass of an Mlp from its float32 weights (dense, LayerNorm ε = 1e-5, ReLU). */
function forward64(net: Mlp, x: number[][]): number[][] {
  const w = net.variables.map((v) => Array.from(v.dataSync()));
  const layers = net.spec.hidden.length + 1;
  const sizes = [net.spec.inputDim, ...net.spec.hidden, net.spec.outputDim];
  return x.map((row) => {
    let h = row;
    for (let l = 0; l < layers; l++) {
      const [kernel, bias] = [w[2 * l], w[2 * l + 1]];
      const out = Array.from({ length: sizes[l + 1] }, (_, j) => bias[j] + h.reduce((s, v, i) => s + v * kernel[i * sizes[l + 1] + j], 0));
      if (l + 1 < layers) {
        let z = out;
        if (net.spec.layerNorm) {
          const [gain, b] = [w[2 * layers + 2 * l], w[2 * layers + 2 * l + 1]];
          const mean = z.reduce((a, c) => a + c, 0) / z.length;
          const variance = z.reduce((a, c) => a + (c - mean) ** 2, 0) / z.length;
          z = z.map((c, j) => ((c - mean) / Math.sqrt(variance + 1e-5)) * gain[j] + b[j]);
        }
        h = z.map((c) => Math.max(0, c));
      } else {
        h = out;
      }
    }
    return h;
  });
}

const rows = (a: Float32Array, dim: number) => Array.from({ length: a.length / dim }, (_, i) => Array.from(a.subarray(i * dim, (i + 1) * dim)));

t.test('soft-min target and Huber loss match a float64 reference', async (t) => {
  for (const [targetMix, criticLoss] of [[{ minWeight: 0.75 }, 'huber'], ['min', 'mse']] as const) {
    const td3 = makeTd3({ targetMix, criticLoss, layerNorm: true, targetPolicyNoise: 0, init: { criticOutputGain: 1 } }, 3);
    const batch: Batch = {
      ...randomBatch(new Rng(5), 4),
      rewards: Float32Array.from([3, -2.5, 0.1, 0.4]),
      dones: Float32Array.from([0, 1, 0, 0]),
      discounts: Float32Array.from([0.99, 0.9, 0.5, 0.97]),
    };
    const next = rows(batch.nextObs, OBS);
    const nextAct = forward64(td3.actorTarget, next).map((r) => r.map(Math.tanh));
    const nextIn = next.map((r, i) => [...r, ...nextAct[i]]);
    const q1n = forward64(td3.criticTargets[0], nextIn).map((r) => r[0]);
    const q2n = forward64(td3.criticTargets[1], nextIn).map((r) => r[0]);
    t.ok(q1n.some((q, i) => Math.abs(q - q2n[i]) > 1e-3), 'the twin targets differ');
    const mix = q1n.map((a, i) => {
      const [lo, hi] = [Math.min(a, q2n[i]), Math.max(a, q2n[i])];
      return targetMix === 'min' ? lo : 0.75 * lo + 0.25 * hi;
    });
    const y = mix.map((m, i) => batch.rewards[i] + batch.discounts[i] * (1 - batch.dones[i]) * m);
    const input = rows(batch.obs, OBS).map((r, i) => [...r, ...rows(batch.actions, ACT)[i]]);
    const loss = (q: number[]) =>
      q.reduce((s, v, i) => {
        const e = Math.abs(v - y[i]);
        return s + (criticLoss === 'mse' ? e * e : e <= 1 ? 0.5 * e * e : e - 0.5);
      }, 0) / q.length;
    const q1 = forward64(td3.critics[0], input).map((r) => r[0]);
    const q2 = forward64(td3.critics[1], input).map((r) => r[0]);
    if (criticLoss === 'huber') t.ok(y.some((v, i) => Math.abs(v - q1[i]) > 1) && y.some((v, i) => Math.abs(v - q1[i]) < 1), 'both Huber branches used');
    const expected = loss(q1) + loss(q2);
    const m = td3.update(batch);
    t.ok(Math.abs(m.critic_loss - expected) < 1e-5 * Math.max(1, expected), `${criticLoss}: ${m.critic_loss} vs float64 ${expected}`);
    t.ok(Math.abs(m.q_mean - q1.reduce((a, b) => a + b, 0) / 4) < 1e-5, 'q_mean is the mean of Q1 before the step');
    td3.dispose();
  }
});

t.test('the actor and the targets update on the configured schedule', async (t) => {
  const rng = new Rng(1);
  for (const targetUpdate of ['with-actor', 'every-step'] as const) {
    const td3 = makeTd3({ policyDelay: 3, targetUpdate }, 2);
    const actorSeen: number[] = [];
    for (let k = 1; k <= 9; k++) {
      const actor = values(td3.actor);
      const criticTarget = values(td3.criticTargets[0]);
      const actorTarget = values(td3.actorTarget);
      const m = td3.update(randomBatch(rng, 16));
      const actorStep = k % 3 === 0;
      if ('actor_loss' in m) actorSeen.push(k);
      t.equal(JSON.stringify(values(td3.actor)) !== JSON.stringify(actor), actorStep, `update ${k}: actor changed = ${actorStep}`);
      const targetsMove = targetUpdate === 'every-step' || actorStep;
      t.equal(JSON.stringify(values(td3.criticTargets[0])) !== JSON.stringify(criticTarget), targetsMove, `update ${k}: critic target`);
      t.equal(JSON.stringify(values(td3.actorTarget)) !== JSON.stringify(actorTarget), targetsMove, `update ${k}: actor target`);
    }
    t.same(actorSeen, [3, 6, 9], `${targetUpdate}: actor_loss reported on actor updates only`);
    t.equal(td3.numActorUpdates, 3);
    td3.dispose();
  }
});

t.test('actor gradient clipping caps the global norm of the step', async (t) => {
  const clip = 1e-3;
  const td3 = makeTd3({ policyDelay: 1, actorGradClip: clip, lr: 1, optim: { actor: { name: 'td3-test-sgd' } } }, 4);
  const before = values(td3.actor);
  const m = td3.update(randomBatch(new Rng(2), 32));
  const after = values(td3.actor);
  let sq = 0;
  before.forEach((v, i) => v.forEach((x, j) => (sq += (after[i][j] - x) ** 2)));
  t.ok(m.actor_grad_norm > 10 * clip, `unclipped norm ${m.actor_grad_norm} is above the clip`);
  t.ok(Math.abs(Math.sqrt(sq) - clip) < 1e-5, `step norm ${Math.sqrt(sq)} equals the clip`);
  td3.dispose();
});

t.test('same seed gives the same weights after 20 updates', async (t) => {
  const run = (seed: number) => {
    const td3 = makeTd3({ paramNoise: {}, actionNoise: { type: 'ou', sigma: 0.2 } }, seed);
    const rng = new Rng(9);
    for (let i = 0; i < 20; i++) {
      td3.act(new Float32Array([0.1, -0.2, 0.3]), 'explore');
      td3.update(randomBatch(rng, 16));
    }
    const out = [td3.actor, td3.critics[1], td3.actorTarget].map(values);
    td3.dispose();
    return JSON.stringify(out);
  };
  t.equal(run(7), run(7));
  t.not(run(7), run(8));
});

t.test('numTensors stays flat over 200 updates, acting and episode starts', async (t) => {
  const td3 = makeTd3({ paramNoise: {}, actionNoise: { type: 'ou', sigma: 0.2 }, actorGradClip: 1, layerNorm: true }, 1);
  const rng = new Rng(3);
  const batch = randomBatch(rng, 16);
  const cycle = (i: number) => {
    td3.update(batch);
    td3.act(batch.obs.subarray(0, OBS), i % 2 === 0 ? 'explore' : 'deterministic');
    if (i % 10 === 0) td3.onEpisodeStart();
  };
  for (let i = 0; i < 4; i++) cycle(i);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 200; i++) cycle(i);
  t.equal(tf.memory().numTensors, before);
  td3.dispose();
});

t.test('exploration: actions in [−1, 1], noise only when exploring, param noise adapts', async (t) => {
  const td3 = makeTd3({ paramNoise: { adaptEvery: 2 }, actionNoise: { type: 'gaussian', sigma: 5 } }, 2);
  const obs = new Float32Array([0.5, 0.5, -1]);
  const det = td3.act(obs, 'deterministic');
  t.same(td3.act(obs, 'deterministic'), det, 'deterministic mode is deterministic');
  const explored = td3.act(obs, 'explore');
  t.ok(explored.every((a) => a >= -1 && a <= 1), 'clipped to [−1, 1]');
  t.not(explored[0], det[0]);
  const m1 = td3.update(randomBatch(new Rng(0), 16));
  t.type(m1.param_noise_distance, 'number');
  t.ok(Math.abs(m1.param_noise_std - 0.2) > 1e-9, 'std adapted after the first update');
  const m2 = td3.update(randomBatch(new Rng(1), 16));
  t.notOk('param_noise_distance' in m2, 'not adapted on the second (adaptEvery 2)');
  t.equal(m2.param_noise_std, m1.param_noise_std);
  t.throws(() => td3.act(new Float32Array(2), 'explore'), /2 values, expected 3/);
  td3.dispose();
});

t.test('saveState/loadState continues identically; savePolicy writes the deterministic actor', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'td3-state-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config: Td3ConfigInput = { paramNoise: {}, actionNoise: { type: 'ou', sigma: 0.3 }, layerNorm: true, policyDelay: 2 };
  const rng = new Rng(4);
  const batches = Array.from({ length: 16 }, () => randomBatch(rng, 16));
  const obs = new Float32Array([0.2, 0.1, -0.4]);
  const continueRun = (td3: Td3) => {
    const trace: unknown[] = [];
    for (let i = 8; i < 16; i++) {
      if (i === 11) td3.onEpisodeStart();
      trace.push(td3.update(batches[i]), Array.from(td3.act(obs, 'explore')));
    }
    return JSON.stringify([trace, values(td3.actor), values(td3.criticTargets[1])]);
  };
  const a = makeTd3(config, 11);
  for (let i = 0; i < 8; i++) {
    a.update(batches[i]);
    a.act(obs, 'explore');
  }
  await a.saveState(join(dir, 'learner'));
  await a.savePolicy(join(dir, 'policy'));
  const b = makeTd3(config, 999);
  await b.loadState(join(dir, 'learner'));
  t.equal(b.numUpdates, 8);
  t.equal(b.paramNoiseStd, a.paramNoiseStd);

  const policy = await loadPolicy(join(dir, 'policy'));
  t.equal(policy.algo, 'td3');
  t.same(policy.act(obs), a.act(obs, 'deterministic'), 'the saved policy acts as the deterministic actor');
  policy.dispose();

  t.equal(continueRun(b), continueRun(a), 'the resumed learner continues exactly');
  const other = makeTd3({ ...config, tau: 0.01 }, 1);
  await t.rejects(other.loadState(join(dir, 'learner')), /saved with another config/);
  await t.rejects(other.loadState(join(dir, 'nothing-here')), /TD3 state file not found/);
  a.dispose();
  b.dispose();
  other.dispose();
});

t.test('config: defaults, the paper preset, and bad keys named', async (t) => {
  const d = parseTd3Config({});
  t.match(d, {
    tau: 0.005,
    policyDelay: 2,
    targetPolicyNoise: 0.2,
    targetNoiseClip: 0.5,
    targetMix: 'min',
    criticLoss: 'mse',
    targetUpdate: 'with-actor',
    actorNet: [400, 300],
    criticNet: [400, 300],
    actionNoise: { type: 'gaussian', sigma: 0.1 },
    paramNoise: null,
    lr: 1e-3,
    optim: { actor: { name: 'adam' }, critic: { name: 'adam' } },
  });
  t.same(parseTd3Config(TD3_PAPER_PRESET), TD3_PAPER_PRESET, 'the preset is complete and valid');
  t.equal(td3Entry.parseConfig(undefined).tau, 0.005);
  t.throws(() => parseTd3Config({ tua: 0.1 }), /\(top level\): unknown key 'tua'/);
  t.throws(() => parseTd3Config({ paramNoise: { initialstd: 0.1 } }), /paramNoise: unknown key 'initialstd'/);
  t.throws(() => parseTd3Config({ criticLoss: 'l1' }), /criticLoss:/);
  t.throws(() => parseTd3Config({ targetMix: { minWeight: 2 } }), /targetMix/);
  t.throws(() => parseTd3Config({ optim: { critic: { name: 'adam', betta1: 0.9 } } }), /optim\.critic: optimizer 'adam': unknown option 'betta1'/);
  t.throws(() => parseTd3Config({ optim: { actor: { name: 'sgdd' } } }), /optim\.actor: unknown optimizer 'sgdd'/);
  const paper = td3Entry.create(parseTd3Config(TD3_PAPER_PRESET), { obsDim: 4, actDim: 1, rng: new Rng(0) }) as Td3;
  t.same(paper.actor.spec.hidden, [300, 200]);
  t.same(paper.critics[0].spec.hidden, [400, 300]);
  t.ok(paper.actor.spec.layerNorm);
  t.equal(paper.actor.spec.outputGain, 0.01);
  paper.dispose();
  t.throws(() => paper.act(new Float32Array(4), 'deterministic'), /disposed/);
});
