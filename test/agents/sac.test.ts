import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { randomBatch as sharedRandomBatch } from '../helpers/random-batch.js';
import { hyperparams } from '../../agents/hyperparams.js';
import { parseSacConfig, Sac, sacEntry, squashedGaussian, type SacConfigInput } from '../../agents/sac.js';
import { initBackend } from '../../src/backend.js';
import type { Batch } from '../../src/learner.js';
import { loadPolicy } from '../../src/nn/policy.js';
import { Rng } from '../../src/rng.js';

await initBackend();

const OBS = 3;
const ACT = 2;
const tiny: SacConfigInput = { actorNet: [16, 16], criticNet: [16, 16] };

function makeSac(seed: number, config: SacConfigInput = tiny): Sac {
  return new Sac(parseSacConfig(config), { obsDim: OBS, actDim: ACT, rng: new Rng(seed) });
}

function randomBatch(rng: Rng, size = 32): Batch {
  return sharedRandomBatch(rng, { size, obsDim: OBS, actDim: ACT, doneRate: 0.1 });
}

const weights = (sac: Sac) =>
  [sac.actor, ...sac.critics, ...sac.criticTargets].flatMap((m) => m.variables.map((v) => Array.from(v.dataSync())))
    .concat(sac.logAlpha ? [Array.from(sac.logAlpha.dataSync())] : []);

/** Float64 log-density of a = tanh(μ + σε), straight from the change of variables. */
function logProbRef(mu: number[], logStd: number[], eps: number[]): number {
  let lp = 0;
  for (let i = 0; i < mu.length; i++) {
    const s = Math.exp(logStd[i]);
    const u = mu[i] + s * eps[i];
    lp += -0.5 * ((u - mu[i]) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - Math.tanh(u) ** 2);
  }
  return lp;
}

t.test('tanh-Gaussian log-prob and its gradients w.r.t. μ and log σ match float64 references', async (t) => {
  const mu = [0.3, -1.1, 2.0];
  const logStd = [-0.5, 0.2, -1.5];
  const eps = [0.7, -1.3, 0.4];
  const out = tf.tensor2d([[...mu, ...logStd]]);
  const e = tf.tensor2d([eps]);
  const { action, logProb } = squashedGaussian(out, e);
  const lp = logProb.dataSync()[0];
  const want = logProbRef(mu, logStd, eps);
  t.ok(Math.abs(lp - want) < 1e-5 * Math.max(1, Math.abs(want)), `log π ${lp} ≈ ${want}`);
  t.ok(Math.abs(action.dataSync()[0] - Math.tanh(0.3 + Math.exp(-0.5) * 0.7)) < 1e-6);
  const grad = tf.grad((o: tf.Tensor) => tf.sum(squashedGaussian(o as tf.Tensor2D, e).logProb))(out).dataSync();
  const h = 1e-6;
  let worst = 0;
  for (let i = 0; i < 6; i++) {
    const up = [...mu, ...logStd];
    const down = [...mu, ...logStd];
    up[i] += h;
    down[i] -= h;
    const numeric = (logProbRef(up.slice(0, 3), up.slice(3), eps) - logProbRef(down.slice(0, 3), down.slice(3), eps)) / (2 * h);
    worst = Math.max(worst, Math.abs(numeric - grad[i]) / Math.max(1, Math.abs(numeric)));
  }
  t.ok(worst < 1e-4, `max relative gradient difference ${worst.toExponential(2)}`);
  tf.dispose([out, e, action, logProb]);
});

t.test('the squash correction is stable for large |u| and log σ is clipped', async (t) => {
  const out = tf.tensor2d([[30, -30, 5, -25]]); // μ = (30, −30), log σ = (5 → 2, −25 → −20)
  const e = tf.tensor2d([[0.5, -0.5]]);
  const { action, logProb } = squashedGaussian(out, e);
  const lp = logProb.dataSync()[0];
  t.ok(Number.isFinite(lp), `finite log π (${lp})`);
  // −log(1 − tanh²u) ≈ 2|u| − 2 log 2 for large |u|; u1 = 30 + e²·0.5, u2 = −30 − e^−20·0.5.
  const u1 = 30 + Math.exp(2) * 0.5;
  const u2 = -30 - Math.exp(-20) * 0.5;
  const want = -0.125 - 2 - 0.125 + 20 - Math.log(2 * Math.PI) - (2 * Math.LN2 - 2 * u1) - (2 * Math.LN2 + 2 * u2);
  t.ok(Math.abs(lp - want) < 1e-4 * Math.abs(want), `${lp} ≈ ${want}`);
  t.same(Array.from(action.dataSync()), [1, -1]);
  tf.dispose([out, e, action, logProb]);
});

t.test('config: SB3 defaults, strictness, optimizer options checked', async (t) => {
  const c = parseSacConfig({});
  t.match(c, { lr: 3e-4, tau: 0.005, actorNet: [256, 256], criticNet: [256, 256], activation: 'relu', entCoef: 'auto', initEntCoef: 1, targetEntropy: 'auto', targetUpdateInterval: 1, logStdMin: -20, logStdMax: 2 });
  t.same(c.optim, { actor: { name: 'adam' }, critic: { name: 'adam' }, alpha: { name: 'adam' } });
  t.throws(() => parseSacConfig({ learningRate: 1e-3 }), /sac config: invalid\n {2}\(top level\): unknown key 'learningRate'/);
  t.throws(() => parseSacConfig({ init: { gain: 2 } }), /init: unknown key 'gain'/);
  t.throws(() => parseSacConfig({ entCoef: 'learned' }), /entCoef:/);
  t.throws(() => parseSacConfig({ optim: { actor: { name: 'adam', betas: 1 } } }), /optim\.actor: optimizer 'adam': unknown option 'betas'/);
  t.throws(() => parseSacConfig({ optim: { critic: { name: 'sgdx' } } }), /optim\.critic: unknown optimizer 'sgdx'/);
  t.throws(() => parseSacConfig({ logStdMin: 3 }), /logStdMin must be below logStdMax/);
  t.equal(sacEntry.name, 'sac');
  t.same(sacEntry.tunedDefaults!('Pendulum-v1'), hyperparams('sac', 'Pendulum-v1'));
  t.match(hyperparams('sac', 'Pendulum-v1'), { steps: 20_000, learner: { lr: 1e-3 } });
  t.same(hyperparams('sac', 'NoSuchEnv-v0'), {});
  const lrOf = (sac: Sac) => (sac as unknown as { actorOptimizer: { options: { lr: number } } }).actorOptimizer.options.lr;
  const sac = makeSac(0, { ...tiny, lr: 1e-3, optim: { critic: { name: 'adam', lr: 5e-4 } } });
  t.equal(lrOf(sac), 1e-3, 'config lr reaches networks without their own');
  t.equal((sac as unknown as { criticOptimizer: { options: { lr: number } } }).criticOptimizer.options.lr, 5e-4);
  sac.dispose();
});

t.test('same seed gives the same weights after 20 updates; another seed differs', async (t) => {
  const run = (seed: number) => {
    const sac = makeSac(seed);
    const rng = new Rng(99);
    for (let i = 0; i < 20; i++) sac.update(randomBatch(rng));
    const w = weights(sac);
    sac.dispose();
    return w;
  };
  const a = run(1);
  t.same(a, run(1));
  t.notSame(a[0], run(2)[0]);
});

t.test('numTensors stays flat over 200 updates and acts; dispose frees everything', async (t) => {
  const start = tf.memory().numTensors;
  const sac = makeSac(3, { actorNet: [8], criticNet: [8] });
  const rng = new Rng(4);
  const batch = randomBatch(rng, 16);
  const obs = new Float32Array([0.1, 0.2, 0.3]);
  sac.update(batch);
  const after1 = tf.memory().numTensors;
  for (let i = 0; i < 200; i++) {
    const m = sac.update(batch);
    if (i === 0) t.same(Object.keys(m).sort(), ['actor_loss', 'critic_loss', 'ent_coef', 'ent_coef_loss', 'entropy']);
    sac.act(obs, 'explore');
    sac.act(obs, 'deterministic');
  }
  t.equal(tf.memory().numTensors, after1);
  sac.dispose();
  t.equal(tf.memory().numTensors, start, 'no tensors left after dispose');
  t.throws(() => sac.act(obs, 'explore'), /sac: learner was disposed/);
});

t.test('saveState/loadState continues identically (weights, optimizer states, α, random streams)', async (t) => {
  const dir = t.testdir();
  const data = new Rng(5);
  const batches = Array.from({ length: 16 }, () => randomBatch(data));
  const obs = new Float32Array([0.5, -0.2, 1.0]);
  const a = makeSac(7);
  for (let i = 0; i < 8; i++) a.update(batches[i]);
  a.act(obs, 'explore');
  await a.saveState(dir);
  const continueRun = (sac: Sac) => {
    const out: unknown[] = [];
    for (let i = 8; i < 16; i++) {
      out.push(sac.update(batches[i]));
      out.push(Array.from(sac.act(obs, 'explore')));
    }
    return out;
  };
  const expected = continueRun(a);
  const b = makeSac(12345); // different initial weights and streams: everything must come from the checkpoint
  await b.loadState(dir);
  t.equal(b.numUpdates, 8);
  t.same(continueRun(b), expected, 'same metrics and exploratory actions');
  t.same(weights(b), weights(a), 'same weights, targets and log α');
  const other = new Sac(parseSacConfig({ ...tiny, tau: 0.01 }), { obsDim: OBS, actDim: ACT, rng: new Rng(1) });
  await t.rejects(other.loadState(dir), /saved with another config/);
  await t.rejects(makeSac(1).loadState(t.testdir()), /SAC state file not found/);
  [a, b, other].forEach((s) => s.dispose());
});

t.test('deterministic act equals the saved policy; actions are in [−1, 1]', async (t) => {
  const dir = t.testdir();
  const sac = makeSac(8);
  const rng = new Rng(9);
  for (let i = 0; i < 5; i++) sac.update(randomBatch(rng));
  await sac.savePolicy(dir);
  const policy = await loadPolicy(dir);
  t.match(policy, { algo: 'sac', obsDim: OBS, actDim: ACT, head: 'gaussian-tanh' });
  for (let k = 0; k < 5; k++) {
    const obs = Float32Array.from({ length: OBS }, () => rng.normal(0, 3));
    t.same(policy.act(obs), sac.act(obs, 'deterministic'));
    const a = sac.act(obs, 'explore');
    t.ok(a.length === ACT && a.every((v) => v >= -1 && v <= 1));
  }
  t.throws(() => sac.act(new Float32Array(2), 'explore'), /observation has 2 values, expected 3/);
  t.throws(() => sac.update({ ...randomBatch(rng), rewards: new Float32Array(3) }), /batch\.rewards has 3 values, expected 32/);
  policy.dispose();
  sac.dispose();
});

t.test('learns a one-step bandit and tunes α towards the target entropy', async (t) => {
  // Reward −(a − 0.5)² summed over actions, no bootstrap: the optimal mean action is 0.5.
  const sac = makeSac(10, { ...tiny, lr: 3e-3 });
  const rng = new Rng(11);
  const n = 64;
  let alphaAfter = 1;
  for (let i = 0; i < 300; i++) {
    const b = randomBatch(rng, n);
    const rewards = new Float32Array(n);
    for (let j = 0; j < n; j++) rewards[j] = -((b.actions[2 * j] - 0.5) ** 2) - (b.actions[2 * j + 1] - 0.5) ** 2;
    const m = sac.update({ ...b, rewards, dones: new Float32Array(n).fill(1) });
    alphaAfter = m.ent_coef;
  }
  const a = sac.act(new Float32Array([0, 0, 0]), 'deterministic');
  t.ok(Math.abs(a[0] - 0.5) < 0.15 && Math.abs(a[1] - 0.5) < 0.15, `deterministic action ${Array.from(a)} ≈ 0.5`);
  t.ok(alphaAfter < 1, `α decreased from 1 to ${alphaAfter} (the policy was above the target entropy)`);
  sac.dispose();
  const fixed = makeSac(10, { ...tiny, entCoef: 0.2 });
  const m = fixed.update(randomBatch(rng));
  t.equal(m.ent_coef, Math.fround(0.2));
  t.notOk('ent_coef_loss' in m);
  t.equal(fixed.logAlpha, null);
  fixed.dispose();
});

t.test('noiseCorrelation: AR(1) exploration noise, unit variance, reset per episode, resumed exactly', async (t) => {
  const sac = makeSac(13, { ...tiny, noiseCorrelation: 0.9 });
  const obs = new Float32Array([0.2, -0.4, 0.1]);
  const n = 3000;
  const u: number[] = [];
  for (let i = 0; i < n; i++) u.push(Math.atanh(Math.min(0.999999, Math.max(-0.999999, sac.act(obs, 'explore')[0]))));
  const mean = u.reduce((a, b) => a + b, 0) / n;
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < n; i++) {
    c0 += (u[i] - mean) ** 2;
    if (i > 0) c1 += (u[i] - mean) * (u[i - 1] - mean);
  }
  const lag1 = c1 / c0;
  t.ok(Math.abs(lag1 - 0.9) < 0.05, `lag-1 autocorrelation ${lag1.toFixed(3)} ≈ 0.9`);
  const white = makeSac(13, tiny);
  const w: number[] = [];
  for (let i = 0; i < 2000; i++) w.push(Math.atanh(Math.min(0.999999, Math.max(-0.999999, white.act(obs, 'explore')[0]))));
  const wm = w.reduce((a, b) => a + b, 0) / w.length;
  let w0 = 0;
  let w1 = 0;
  for (let i = 0; i < w.length; i++) {
    w0 += (w[i] - wm) ** 2;
    if (i > 0) w1 += (w[i] - wm) * (w[i - 1] - wm);
  }
  t.ok(Math.abs(w1 / w0) < 0.08, `white noise: lag-1 autocorrelation ${(w1 / w0).toFixed(3)} ≈ 0`);
  t.ok(Math.abs(Math.sqrt(c0 / n) - Math.sqrt(w0 / w.length)) < 0.1 * Math.sqrt(w0 / w.length), 'same marginal spread as white noise');

  // Mid-episode checkpoint: the noise state travels with it.
  const dir = t.testdir();
  await sac.saveState(dir);
  const expected = [sac.act(obs, 'explore'), sac.act(obs, 'explore')].map((a) => Array.from(a));
  sac.onEpisodeStart();
  const afterReset = Array.from(sac.act(obs, 'explore'));
  const restored = makeSac(99, { ...tiny, noiseCorrelation: 0.9 });
  await restored.loadState(dir);
  t.same([restored.act(obs, 'explore'), restored.act(obs, 'explore')].map((a) => Array.from(a)), expected);
  t.notSame(afterReset, expected[0]);
  [sac, white, restored].forEach((s) => s.dispose());
  t.throws(() => parseSacConfig({ noiseCorrelation: 1 }), /noiseCorrelation/);
});
