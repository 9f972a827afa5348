/**
 * Cost of a GAIL training step against a plain SAC step, measured in one run, interleaved (A, B,
 * A, B, ...) so that machine load affects both alike.
 *
 *   npx tsx scripts/bench/gail.ts [--steps 40] [--warmup 5] [--obs 17] [--act 6] [--demos 4] [--json]
 *
 * - plain SAC step: sample a 256-batch from the replay buffer, one SAC update;
 * - GAIL step: the same sample with rewards recomputed by the discriminator (κ·r_D over every
 *   n-step window row), the same SAC update, then GAIL's update: one discriminator call (the
 *   paper's full pass over the expert set, 4 subsampled demos = 200 transitions: ⌊200/64⌋ = 3
 *   gradient steps, each with the WGAN gradient penalty, spectral norm on) and one forward-model
 *   step (monitoring on).
 * Also reported: the same with `batching: single` (one D step per call), with 10-step windows,
 * and the cost of one monitoring row (once per metrics row, not per step).
 * Workload as scripts/bench/update.ts: obs 17, act 6, SAC 256×256; buffer of 10k random rows.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import '../../agents/index.js';
import { parseGailConfig } from '../../agents/gail/config.js';
import type { ExpertTransitions } from '../../agents/gail/expert.js';
import { Gail } from '../../agents/gail/gail.js';
import { parseSacConfig, Sac } from '../../agents/sac.js';
import { initBackend } from '../../src/backend.js';
import { ReplayBuffer } from '../../src/buffer.js';
import { Rng } from '../../src/rng.js';
import { parseLoopConfig } from '../../src/train/config.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '5' },
    obs: { type: 'string', default: '17' },
    act: { type: 'string', default: '6' },
    demos: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const OBS = Number(args.obs);
const ACT = Number(args.act);
const EXPERT_ROWS = 50 * Number(args.demos);
const BATCH = 256;

const info = await initBackend();
const rng = new Rng(0);
const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);

const buffer = new ReplayBuffer({ capacity: 10_000, obsDim: OBS, actDim: ACT });
for (let i = 0; i < 10_000; i++) {
  buffer.add(fill(OBS, () => rng.normal()), fill(ACT, () => rng.uniform(-1, 1)), rng.normal(), fill(OBS, () => rng.normal()), false, i % 1000 === 999);
}
const expert: ExpertTransitions = {
  count: EXPERT_ROWS,
  obsDim: OBS,
  actDim: ACT,
  obs: fill(EXPERT_ROWS * OBS, () => 1 + rng.normal()),
  actions: fill(EXPERT_ROWS * ACT, () => rng.uniform(-1, 1)),
  nextObs: fill(EXPERT_ROWS * OBS, () => 1 + rng.normal()),
  terminated: new Uint8Array(EXPERT_ROWS),
  expertReturn: 1,
  randomReturn: 0,
  description: 'synthetic',
};

const sac = new Sac(parseSacConfig({}), { obsDim: OBS, actDim: ACT, rng: new Rng(1) });
const loop = parseLoopConfig({ algo: 'sac', env: 'Pendulum-v1', steps: 1, bufferSize: 10_000 }, 'bench');
const makeGail = (overrides: Record<string, unknown>) =>
  new Gail(parseGailConfig({ expert: { source: 'file', path: 'synthetic' }, ...overrides }), expert, { config: loop, obsDim: OBS, actDim: ACT, rng: new Rng(2) });

const variants = {
  'paper (epoch batching, wgan GP, SN, monitoring)': { gail: makeGail({}), nStep: 1 },
  'single D step per call': { gail: makeGail({ discriminator: { batching: 'single' } }), nStep: 1 },
  'paper, 10-step windows': { gail: makeGail({}), nStep: 10 },
};

const sampleRng = new Rng(3);
// The plain step uses the same n-step windows as the GAIL step it is compared with.
const plainStep = (nStep: number) => () => sac.update(buffer.sample(BATCH, sampleRng, { nStep }));
const gailStep = (g: Gail, nStep: number) => () => {
  sac.update(buffer.sample(BATCH, sampleRng, { nStep, rewardFn: g.rewardFn }));
  g.afterUpdate(buffer);
};

const time = (f: () => void) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows: { variant: string; plainMs: number; gailMs: number; ratio: number }[] = [];
for (const [name, v] of Object.entries(variants)) {
  const step = gailStep(v.gail, v.nStep);
  const plainStepN = plainStep(v.nStep);
  for (let i = 0; i < WARMUP; i++) {
    plainStepN();
    step();
  }
  const before = tf.memory().numTensors;
  const plain: number[] = [];
  const gail: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    plain.push(time(plainStepN));
    gail.push(time(step));
  }
  if (tf.memory().numTensors !== before) throw new Error(`${name}: ${tf.memory().numTensors - before} tensors leaked`);
  rows.push({ variant: name, plainMs: median(plain), gailMs: median(gail), ratio: median(gail) / median(plain) });
}
const learnerStub = { obsDim: OBS, actDim: ACT, act: (o: Float32Array) => sac.act(o, 'deterministic') } as never;
const g0 = variants['paper (epoch batching, wgan GP, SN, monitoring)'].gail;
const monitorMs = median(Array.from({ length: 5 }, () => time(() => g0.beforeLogRow(buffer, learnerStub))));

if (args.json) {
  console.log(JSON.stringify({ backend: info.tfBackend, obs: OBS, act: ACT, expertRows: EXPERT_ROWS, steps: STEPS, rows, monitorMs }, null, 1));
} else {
  console.log(`backend ${info.tfBackend}; obs ${OBS}, act ${ACT}, SAC batch ${BATCH}, expert rows ${EXPERT_ROWS}; medians of ${STEPS} interleaved steps`);
  console.log('variant                                           plain SAC   GAIL step   ratio');
  for (const r of rows) console.log(`${r.variant.padEnd(50)}${r.plainMs.toFixed(1).padStart(8)} ms${r.gailMs.toFixed(1).padStart(9)} ms${r.ratio.toFixed(2).padStart(8)}×`);
  console.log(`one monitoring row (64 samples, 16 policy Jacobians): ${monitorMs.toFixed(1)} ms`);
}
for (const v of Object.values(variants)) v.gail.dispose();
sac.dispose();
