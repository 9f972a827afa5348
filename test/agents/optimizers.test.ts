// Every learner network on each matrix optimizer: SAC (actor, critic, alpha) and TD3 (actor,
// critic, with the delayed actor step) update without NaN and without leaking tensors.
import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { parseSacConfig, Sac } from '../../agents/sac.js';
import { parseTd3Config, Td3 } from '../../agents/td3.js';
import { initBackend } from '../../src/backend.js';
import type { Batch } from '../../src/learner.js';
import { Rng } from '../../src/rng.js';

await initBackend();

function batch(rng: Rng, obsDim: number, actDim: number, size = 16): Batch {
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  return {
    size, obsDim, actDim,
    obs: fill(size * obsDim, () => rng.normal()),
    actions: fill(size * actDim, () => rng.uniform(-1, 1)),
    rewards: fill(size, () => rng.normal()),
    nextObs: fill(size * obsDim, () => rng.normal()),
    dones: fill(size, () => (rng.random() < 0.1 ? 1 : 0)),
    discounts: fill(size, () => 0.99),
    indices: Int32Array.from({ length: size }, (_, i) => i),
  };
}

for (const name of ['soap', 'fismo', 'muon']) {
  const optim = { name, ...(name === 'soap' ? { preconditionFrequency: 3 } : name === 'fismo' ? { rootInterval: 2 } : {}) };
  for (const algo of ['sac', 'td3'] as const) {
    t.test(`${algo} with ${name} on every network`, async (t) => {
      const rng = new Rng(1);
      const nets = { actorNet: [8, 8], criticNet: [8, 8], optim: algo === 'sac' ? { actor: optim, critic: optim, alpha: optim } : { actor: optim, critic: optim } };
      const learner = algo === 'sac' ? new Sac(parseSacConfig(nets), { obsDim: 3, actDim: 2, rng: rng.stream('sac') }) : new Td3(parseTd3Config(nets), { obsDim: 3, actDim: 2, rng: rng.stream('td3') });
      const b = batch(rng, 3, 2);
      for (let i = 0; i < 3; i++) learner.update(b);
      const before = tf.memory().numTensors;
      const metrics = Array.from({ length: 8 }, () => learner.update(b));
      t.equal(tf.memory().numTensors, before, 'numTensors flat');
      t.ok(metrics.every((m) => Object.values(m).every(Number.isFinite)), 'finite losses');
      learner.dispose();
    });
  }
}
