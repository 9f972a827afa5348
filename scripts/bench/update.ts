/**
 * Cost of one learner update and of one act() call, with the transpose-free dense gradient
 * (src/nn/dense.ts) against tfjs's stock matmul gradient, measured in the same run.
 *
 *   npx tsx scripts/bench/update.ts [--updates 30] [--warmup 5] [--train-steps 3000] [--json]
 *
 * It also trains SAC and TD3 on Pendulum-v1 for `--train-steps` steps (SB3 defaults: 100 random
 * steps, then one 256-batch update per env step; no evaluation) and reports the loop's env steps
 * per second, the figure a user sees.
 * Workload (spec/tfjs-backends.md §1.2): batch 256, obs 17, act 6, 256×256 ReLU networks, a fixed
 * synthetic batch. Each row is the median over the timed calls; an update ends with its one
 * dataSync, so the time is the whole step.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../agents/index.js';
import { parseSacConfig, Sac } from '../../agents/sac.js';
import { parseTd3Config, Td3 } from '../../agents/td3.js';
import '../../envs/index.js';
import { initBackend } from '../../src/backend.js';
import type { Batch, Learner } from '../../src/learner.js';
import { setStockDenseGradient } from '../../src/nn/dense.js';
import { Rng } from '../../src/rng.js';
import { train } from '../../src/train/loop.js';

const { values: args } = parseArgs({
  options: {
    updates: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    acts: { type: 'string', default: '500' },
    'train-steps': { type: 'string', default: '3000' },
    json: { type: 'boolean', default: false },
  },
});
const UPDATES = Number(args.updates);
const WARMUP = Number(args.warmup);
const ACTS = Number(args.acts);
const TRAIN_STEPS = Number(args['train-steps']);
const OBS = 17;
const ACT = 6;
const BATCH = 256;

const info = await initBackend();

function syntheticBatch(rng: Rng): Batch {
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  return {
    size: BATCH,
    obsDim: OBS,
    actDim: ACT,
    obs: fill(BATCH * OBS, () => rng.normal()),
    actions: fill(BATCH * ACT, () => rng.uniform(-1, 1)),
    rewards: fill(BATCH, () => rng.normal()),
    nextObs: fill(BATCH * OBS, () => rng.normal()),
    dones: fill(BATCH, () => (rng.random() < 0.02 ? 1 : 0)),
    discounts: fill(BATCH, () => 0.99),
    indices: Int32Array.from({ length: BATCH }, (_, i) => i),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeUpdates(learner: Learner, batch: Batch): { ms: number; tensorGrowth: number } {
  for (let i = 0; i < WARMUP; i++) learner.update(batch);
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const t0 = performance.now();
    learner.update(batch);
    times.push(performance.now() - t0);
  }
  return { ms: median(times), tensorGrowth: tf.memory().numTensors - before };
}

function timeActs(learner: Learner, obs: Float32Array, mode: 'explore' | 'deterministic'): number {
  for (let i = 0; i < 20; i++) learner.act(obs, mode);
  const t0 = performance.now();
  for (let i = 0; i < ACTS; i++) learner.act(obs, mode);
  return ((performance.now() - t0) / ACTS) * 1000;
}

type Maker = (rng: Rng) => Learner;
// Both on the same 256×256 networks, so the rows compare algorithms, not sizes (TD3's own default is 400×300).
const NETS = { actorNet: [256, 256], criticNet: [256, 256] };
const makers: { algo: string; make: Maker; note?: string }[] = [
  { algo: 'sac', make: (rng) => new Sac(parseSacConfig(NETS), { obsDim: OBS, actDim: ACT, rng }) },
  { algo: 'td3', make: (rng) => new Td3(parseTd3Config(NETS), { obsDim: OBS, actDim: ACT, rng }), note: 'median over critic-only and critic+actor updates (policy delay 2)' },
];

const rows: Record<string, string | number>[] = [];
const obs = syntheticBatch(new Rng(1)).obs.slice(0, OBS);
for (const { algo, make, note } of makers) {
  const result: Record<string, number> = {};
  for (const stock of [false, true]) {
    setStockDenseGradient(stock);
    const learner = make(new Rng(0).stream(algo));
    const { ms, tensorGrowth } = timeUpdates(learner, syntheticBatch(new Rng(2)));
    result[stock ? 'stock' : 'fixed'] = ms;
    if (tensorGrowth !== 0) console.warn(`${algo} (${stock ? 'stock' : 'fixed'}): numTensors grew by ${tensorGrowth} over ${UPDATES} updates`);
    if (!stock) {
      result.actDet = timeActs(learner, obs, 'deterministic');
      result.actExplore = timeActs(learner, obs, 'explore');
    }
    learner.dispose();
  }
  setStockDenseGradient(false);
  rows.push({
    algo,
    'update ms (fixed grad)': result.fixed.toFixed(1),
    'update ms (stock grad)': result.stock.toFixed(1),
    'speed-up': `${(result.stock / result.fixed).toFixed(2)}×`,
    'act µs (deterministic)': result.actDet.toFixed(0),
    'act µs (explore)': result.actExplore.toFixed(0),
    ...(note !== undefined ? { note } : {}),
  });
}

// Why SAC's twin critics are two networks and not one stacked [2, …] network.
const matmul = (() => {
  const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1) as tf.Tensor2D;
  const a3 = tf.randomNormal([2, 256, 256], 0, 1, 'float32', 2) as tf.Tensor3D;
  const time = (f: () => tf.Tensor) => {
    const ts: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now();
      const r = f();
      r.dataSync();
      r.dispose();
      ts.push(performance.now() - t0);
    }
    return median(ts.slice(5));
  };
  const two = time(() => tf.tidy(() => tf.stack([tf.matMul(a, a), tf.matMul(a, a)])));
  const batched = time(() => tf.matMul(a3, a3));
  tf.dispose([a, a3]);
  return { two, batched };
})();

/** Env steps per second of the whole loop (act, step, store, sample, update) on Pendulum-v1. */
async function trainingRate(algo: string): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'imitate-bench-'));
  try {
    const config = { algo, env: 'Pendulum-v1', steps: TRAIN_STEPS, seed: 0, evalEvery: 0, evalEpisodes: 1, checkpointEvery: 0, learner: NETS };
    const { summary } = await train(config, { dir: path.join(dir, 'run'), quiet: true });
    return summary.stepsPerSecond;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const training = TRAIN_STEPS > 0 ? { sac: await trainingRate('sac'), td3: await trainingRate('td3') } : null;

if (args.json) {
  console.log(JSON.stringify({ backend: info.choice, updates: UPDATES, rows, matmul, training }, null, 2));
} else {
  console.log(`backend ${info.choice}${info.simd ? ' (SIMD)' : ''}; batch ${BATCH}, obs ${OBS}, act ${ACT}, 256×256 ReLU; median of ${UPDATES} updates after ${WARMUP} warm-up`);
  const cols = Object.keys(rows[0]).filter((c) => c !== 'note');
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
  for (const r of rows) if (r.note !== undefined) console.log(`${r.algo}: ${r.note}`);
  console.log(`twin critics: two 256³ matmuls ${matmul.two.toFixed(2)} ms vs one batched [2,256,256] matmul ${matmul.batched.toFixed(2)} ms (XNNPACK takes batch 1 only)`);
  if (training !== null) {
    console.log(`Pendulum-v1 training, ${TRAIN_STEPS} steps (100 random, then 1 update per step), 256×256: sac ${training.sac.toFixed(1)} steps/s, td3 ${training.td3.toFixed(1)} steps/s`);
  }
}
