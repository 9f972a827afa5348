import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { rewardFromLogit, REWARD_FORMS } from '../../../agents/gail/reward.js';
import { initBackend } from '../../../src/backend.js';

await initBackend();

const sigmoid = (h: number) => 1 / (1 + Math.exp(-h));
const closed: Record<(typeof REWARD_FORMS)[number], (h: number) => number> = {
  minimax: (h) => -Math.log(1 - sigmoid(h)),
  logd: (h) => Math.log(sigmoid(h)),
  logit: (h) => Math.log(sigmoid(h)) - Math.log(1 - sigmoid(h)),
};

t.test('reward forms equal their closed forms in D = σ(h)', async (t) => {
  // Inside ±15 the log forms are accurate in float64; beyond it the softplus forms must stay finite.
  const hs = Array.from({ length: 61 }, (_, i) => -15 + i * 0.5);
  for (const form of REWARD_FORMS) {
    const h = tf.tensor1d(hs);
    const r = rewardFromLogit(h, form);
    const got = r.dataSync();
    let worst = 0;
    hs.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - closed[form](v)) / Math.max(1, Math.abs(closed[form](v))))));
    t.ok(worst < 1e-5, `${form}: worst relative error ${worst.toExponential(2)}`);
    const far = rewardFromLogit(tf.tensor1d([-80, 80]), form).dataSync();
    t.ok(Array.from(far).every(Number.isFinite), `${form}: finite at h = ±80, where the log forms overflow`);
    tf.dispose([h, r]);
  }
  const signs = rewardFromLogit(tf.tensor1d([-3, 3]), 'minimax').dataSync();
  t.ok(signs[0] > 0 && signs[1] > signs[0], 'minimax is positive and grows with h');
  t.ok(rewardFromLogit(tf.tensor1d([3]), 'logd').dataSync()[0] < 0, 'log D is negative');
  t.throws(() => rewardFromLogit(tf.tensor1d([0]), 'bogus' as 'logd'), /unknown reward form 'bogus'/);
});

t.test('|dr/dh| ≤ 1 for every form (a k-Lipschitz logit gives a k-Lipschitz reward)', async (t) => {
  const h = tf.linspace(-20, 20, 81);
  for (const form of REWARD_FORMS) {
    const g = tf.grad((x: tf.Tensor) => tf.sum(rewardFromLogit(x, form)))(h);
    t.ok(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) <= 1 + 1e-6, form);
    g.dispose();
  }
  h.dispose();
});
