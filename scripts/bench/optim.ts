/**
 * Cost of a SAC update with each optimizer on every network, as a ratio to Adam's measured in the
 * same run: the learners are timed round-robin (a burst of `--burst` consecutive updates of each in
 * turn), so load from other processes hits every optimizer alike. A burst ends by waiting for the
 * optimizers' background work (SOAP's upkeep thread, src/optim/soap-native.ts), timed as part of
 * the burst's last update: that work overlaps the learner's own next update, as in training, never
 * another learner's.
 *
 *   npx tsx scripts/bench/optim.ts [--rounds 60] [--burst 10] [--warmup 12] [--obs 17] [--act 6] \
 *     [--net 256,256] [--optims adam,soap,muon,fismo,fismo:rootInterval=10] \
 *     [--set soap.preconditionFrequency=10 ...] [--tf-ops] [--json]
 *
 * An entry of --optims is a registry name, optionally with options after colons
 * (`fismo:rootInterval=10:scale=rms`), so one run can time several settings of one optimizer;
 * `--set NAME.OPTION=VALUE` applies to every entry of that name.
 *
 * Workload as scripts/bench/update.ts: batch 256, a fixed synthetic batch, SAC's actor, twin
 * critics and temperature all on the named optimizer (lr 1e-3 unless --set gives one). The warm-up
 * covers SOAP's first (basis-filling) step; the timed rounds span several preconditioner refreshes
 * (SOAP every `preconditionFrequency` updates, FISMO's inverse roots every `rootInterval`), so the
 * mean is the amortised cost; the median is reported too (the cost of a step without refresh).
 * Each update is timed in wall time and in this process's CPU time; on a busy machine the CPU
 * figures are the ones to compare (other processes add wall time, not CPU time). The native BLAS
 * path is used where the addon is built; IMITATE_NATIVE_BLAS=0 measures the wasm kernels alone, and
 * `--tf-ops` the optimizers' tf-ops steps on the native path (without the fused SOAP/FISMO/Muon
 * steps of src/native-optim.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import '../../agents/index.js';
import { parseSacConfig, Sac } from '../../agents/sac.js';
import { initBackend } from '../../src/backend.js';
import { nativeBlasActive } from '../../src/native-blas.js';
import { setFusedOptimizerSteps } from '../../src/native-optim.js';
import { settleBackgroundUpkeep } from '../../src/optim/soap.js';
import { Rng } from '../../src/rng.js';
import { syntheticBatch } from './synthetic-batch.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '60' },
    burst: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '12' },
    obs: { type: 'string', default: '17' },
    act: { type: 'string', default: '6' },
    net: { type: 'string', default: '256,256' },
    optims: { type: 'string', default: 'adam,soap,muon,fismo' },
    set: { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
    'tf-ops': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const BURST = Number(args.burst);
const WARMUP = Number(args.warmup);
const OBS = Number(args.obs);
const ACT = Number(args.act);
const NET = args.net.split(',').map(Number);
const BATCH = 256;
const OPTIMS = args.optims.split(',');

/** A JSON value, or the raw string (a bare word such as rms). */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `--set name.option=value` entries as options per optimizer name. */
function optionsByName(sets: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of sets) {
    const m = /^([\w-]+)\.(\w+)=(.*)$/.exec(s);
    if (m === null) throw new Error(`--set ${s}: expected OPTIMIZER.OPTION=VALUE`);
    const [, name, key, raw] = m;
    (out[name] ??= {})[key] = parseValue(raw);
  }
  return out;
}


const info = await initBackend();
setFusedOptimizerSteps(!args['tf-ops']);
const extra = optionsByName(args.set);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const batch = syntheticBatch(new Rng(2), BATCH, OBS, ACT);
const learners = OPTIMS.map((entry) => {
  const [name, ...inline] = entry.split(':');
  const own = Object.fromEntries(inline.map((kv) => {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new Error(`--optims ${entry}: expected NAME:OPTION=VALUE`);
    return [kv.slice(0, eq), parseValue(kv.slice(eq + 1))];
  }));
  const optim = { name, lr: 1e-3, ...extra[name], ...own };
  const config = parseSacConfig({ actorNet: NET, criticNet: NET, optim: { actor: optim, critic: optim, alpha: optim } });
  return { name: entry, options: optim, learner: new Sac(config, { obsDim: OBS, actDim: ACT, rng: new Rng(0).stream('sac') }), times: [] as number[], cpu: [] as number[] };
});
for (let i = 0; i < WARMUP; i++) for (const l of learners) l.learner.update(batch);
settleBackgroundUpkeep();
const before = tf.memory().numTensors;
for (let r = 0; r < ROUNDS; r += BURST) {
  for (const l of learners) {
    const burst = Math.min(BURST, ROUNDS - r);
    for (let k = 0; k < burst; k++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      l.learner.update(batch);
      if (k === burst - 1) settleBackgroundUpkeep();
      l.times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      l.cpu.push((c.user + c.system) / 1000);
    }
  }
}
const growth = tf.memory().numTensors - before;
const adam = learners.find((l) => l.name === 'adam');
const rows = learners.map((l) => ({
  optimizer: l.name,
  options: JSON.stringify(l.options),
  meanMs: mean(l.times),
  medianMs: median(l.times),
  ratioMean: adam === undefined ? NaN : mean(l.times) / mean(adam.times),
  ratioMedian: adam === undefined ? NaN : median(l.times) / median(adam.times),
  cpuMeanMs: mean(l.cpu),
  cpuMedianMs: median(l.cpu),
  cpuRatioMean: adam === undefined ? NaN : mean(l.cpu) / mean(adam.cpu),
  cpuRatioMedian: adam === undefined ? NaN : median(l.cpu) / median(adam.cpu),
}));
learners.forEach((l) => l.learner.dispose());

if (args.json) {
  console.log(JSON.stringify({ backend: info.choice, nativeBlas: nativeBlasActive(), fusedSteps: nativeBlasActive() && !args['tf-ops'], batch: BATCH, obs: OBS, act: ACT, net: NET, rounds: ROUNDS, burst: BURST, warmup: WARMUP, tensorGrowth: growth, rows }, null, 2));
} else {
  const path = nativeBlasActive() ? (args['tf-ops'] ? 'native BLAS path, tf-ops optimizer steps' : 'native BLAS path, fused optimizer steps') : 'wasm kernels only';
  console.log(`backend ${info.choice}${info.simd ? ' (SIMD)' : ''}, ${path}; SAC update, batch ${BATCH}, obs ${OBS}, act ${ACT}, net [${NET}]; ${ROUNDS} updates each in interleaved bursts of ${BURST}, after ${WARMUP} warm-up`);
  console.log('| optimizer | wall mean ms (amortised) | × Adam | wall median ms | × Adam | CPU mean ms | × Adam | CPU median ms | × Adam | options |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const f = (x: number) => x.toFixed(1);
  const r2 = (x: number) => x.toFixed(2);
  for (const r of rows) console.log(`| ${r.optimizer} | ${f(r.meanMs)} | ${r2(r.ratioMean)} | ${f(r.medianMs)} | ${r2(r.ratioMedian)} | ${f(r.cpuMeanMs)} | ${r2(r.cpuRatioMean)} | ${f(r.cpuMedianMs)} | ${r2(r.cpuRatioMedian)} | \`${r.options}\` |`);
  if (growth !== 0) console.warn(`numTensors grew by ${growth} over the timed rounds`);
}
