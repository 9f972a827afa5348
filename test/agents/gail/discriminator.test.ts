import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { Discriminator, discriminatorConfigSchema } from '../../../agents/gail/discriminator.js';
import { initBackend } from '../../../src/backend.js';
import { Rng } from '../../../src/rng.js';

await initBackend();

const gauss = (n: number, d: number, mean: number, rng: Rng) => tf.tensor2d(Float32Array.from({ length: n * d }, () => mean + rng.normal()), [n, d]);

t.test('loss terms equal their closed forms (BCE, entropy bonus, label smoothing)', async (t) => {
  const disc = new Discriminator(discriminatorConfigSchema.parse({ hidden: [8], penalty: { type: 'none' }, entropyBonus: 0.3 }), { obsDim: 2, actDim: 1 }, new Rng(1));
  disc.net.variables.forEach((v) => v.assign(tf.mul(v, 50)));
  const rng = new Rng(2);
  const e = gauss(5, 3, 1, rng);
  const p = gauss(7, 3, -1, rng);
  const labels = tf.tensor1d([1, 0.8, 1.1, 0.7, 1.2]);
  const [loss, bce, ent] = disc.lossTerms(e, p, null, labels).map((x) => x.dataSync()[0]);
  const he = Array.from(disc.logits(e).dataSync());
  const hp = Array.from(disc.logits(p).dataSync());
  const sig = (h: number) => 1 / (1 + Math.exp(-h));
  const y = [1, 0.8, 1.1, 0.7, 1.2];
  const bceRef = he.reduce((a, h, i) => a - (y[i] * Math.log(sig(h)) + (1 - y[i]) * Math.log(1 - sig(h))), 0) / 5 + hp.reduce((a, h) => a - Math.log(1 - sig(h)), 0) / 7;
  const H = (h: number) => -(sig(h) * Math.log(sig(h)) + (1 - sig(h)) * Math.log(1 - sig(h)));
  const entRef = [...he, ...hp].reduce((a, h) => a + H(h), 0) / 12;
  t.ok(Math.abs(bce - bceRef) < 1e-4 * Math.max(1, bceRef), `BCE ${bce} vs ${bceRef}`);
  t.ok(Math.abs(ent - entRef) < 1e-4, `entropy ${ent} vs ${entRef}`);
  t.ok(Math.abs(loss - (bceRef - 0.3 * entRef)) < 1e-4 * Math.max(1, bceRef), 'loss = BCE − λ_ent·H');
  tf.dispose([e, p, labels]);
  disc.dispose();
});

t.test('training separates expert from agent samples; epoch batching takes ⌊N_E/batch⌋ steps', async (t) => {
  const disc = new Discriminator(discriminatorConfigSchema.parse({ hidden: [32, 32], batchSize: 16, optimizer: { name: 'adam', lr: 3e-3 } }), { obsDim: 3, actDim: 2 }, new Rng(3));
  const rng = new Rng(4);
  const expert = gauss(50, 5, 1, rng);
  const agent = gauss(16, 5, -1, rng);
  let m = disc.train(expert, agent, rng);
  t.equal(m.d_steps, 3, '50 expert rows in minibatches of 16: 3 steps (the partial one dropped)');
  const before = tf.memory().numTensors;
  for (let i = 0; i < 80; i++) m = disc.train(expert, agent, rng);
  t.equal(tf.memory().numTensors, before, 'no tensor leaks across updates');
  t.ok(m.d_expert_acc > 0.85 && m.d_agent_acc > 0.85, `accuracy expert ${m.d_expert_acc}, agent ${m.d_agent_acc}`);
  t.ok(m.d_penalty > 0 && Number.isFinite(m.d_loss), 'the penalty is part of the loss');
  const single = new Discriminator(discriminatorConfigSchema.parse({ hidden: [8], batchSize: 16, batching: 'single' }), { obsDim: 3, actDim: 2 }, new Rng(3));
  t.equal(single.train(expert, agent, rng).d_steps, 1, 'single mode: one step per call');
  const smoothed = new Discriminator(discriminatorConfigSchema.parse({ hidden: [8], labelSmoothing: [0.7, 1.2] }), { obsDim: 3, actDim: 2 }, new Rng(3));
  t.ok(Number.isFinite(smoothed.train(expert, agent, rng).d_loss), 'label smoothing trains');
  tf.dispose([expert, agent]);
  disc.dispose();
  single.dispose();
  smoothed.dispose();
});

t.test('spectral norm keeps each hidden kernel at spectral norm ≈ 1', async (t) => {
  const disc = new Discriminator(discriminatorConfigSchema.parse({ hidden: [12, 10] }), { obsDim: 3, actDim: 2 }, new Rng(5));
  disc.net.variables.forEach((v) => v.assign(tf.mul(v, 7)));
  for (let i = 0; i < 30; i++) disc.net.powerIteration();
  const kernels = disc.net.kernels();
  for (const [i, k] of kernels.slice(0, 2).entries()) {
    // Largest singular value by many power iterations in float64.
    const w = k.arraySync();
    let u = w[0].map(() => 1);
    for (let it = 0; it < 500; it++) {
      const v = w.map((row) => row.reduce((a, x, j) => a + x * u[j], 0));
      const uu = w[0].map((_, j) => w.reduce((a, row, r) => a + row[j] * v[r], 0));
      const n = Math.hypot(...uu);
      u = uu.map((x) => x / n);
    }
    const sigma = Math.hypot(...w.map((row) => row.reduce((a, x, j) => a + x * u[j], 0)));
    t.ok(Math.abs(sigma - 1) < 1e-3, `hidden kernel ${i}: σ(W/σ̂) = ${sigma.toFixed(5)}`);
  }
  tf.dispose(kernels);
  disc.dispose();
});

t.test('bad config names the key', async (t) => {
  t.throws(() => discriminatorConfigSchema.parse({ penalty: { type: 'wgna' } }));
  t.throws(() => new Discriminator(discriminatorConfigSchema.parse({ optimizer: { name: 'adam', lrr: 1 } }), { obsDim: 1, actDim: 1 }, new Rng(1)), /unknown option 'lrr'/);
});
