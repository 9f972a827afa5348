/**
 * Where a learner update's time goes: runs `tf.profile` over one update on the benchmark workload
 * (batch 256, obs 17, act 6, 256×256; spec/tfjs-backends.md §1.2) and prints the kernels grouped
 * by name, with their count and total time, largest first.
 *
 *   npx tsx scripts/bench/profile.ts [--algo sac|td3] [--top 25] [--native on|off] [--reps 7]
 *
 * Each kernel group's time is the minimum over `reps` profiled updates, which keeps the table
 * readable on a busy machine (other processes only ever add time).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import '../../agents/index.js';
import { parseSacConfig, Sac } from '../../agents/sac.js';
import { parseTd3Config, Td3 } from '../../agents/td3.js';
import { initBackend } from '../../src/backend.js';
import type { Learner } from '../../src/learner.js';
import { setNativeBlasEnabled } from '../../src/native-blas.js';
import { Rng } from '../../src/rng.js';
import { syntheticBatch } from './synthetic-batch.js';

const { values: args } = parseArgs({
  options: {
    algo: { type: 'string', default: 'sac' },
    top: { type: 'string', default: '25' },
    native: { type: 'string', default: 'on' },
    reps: { type: 'string', default: '7' },
  },
});
await initBackend();
const native = setNativeBlasEnabled(args.native !== 'off');
const OBS = 17;
const ACT = 6;
const nets = { actorNet: [256, 256], criticNet: [256, 256] };
const rng = new Rng(0);
const learner: Learner = args.algo === 'td3'
  ? new Td3(parseTd3Config({ ...nets, policyDelay: 1 }), { obsDim: OBS, actDim: ACT, rng })
  : new Sac(parseSacConfig(nets), { obsDim: OBS, actDim: ACT, rng });
const batch = syntheticBatch(new Rng(2), 256, OBS, ACT);
for (let i = 0; i < 10; i++) learner.update(batch);

const groups = new Map<string, { count: number; ms: number }>();
let kernels = 0;
for (let rep = 0; rep < Number(args.reps); rep++) {
  const profile = await tf.profile(() => {
    learner.update(batch);
  });
  kernels = profile.kernels.length;
  const these = new Map<string, { count: number; ms: number }>();
  for (const k of profile.kernels) {
    const g = these.get(k.name) ?? { count: 0, ms: 0 };
    g.count += 1;
    g.ms += Number(k.kernelTimeMs) || 0;
    these.set(k.name, g);
  }
  for (const [name, g] of these) {
    const best = groups.get(name);
    if (best === undefined || g.ms < best.ms) groups.set(name, g);
  }
}
const total = [...groups.values()].reduce((s, g) => s + g.ms, 0);
console.log(`${args.algo} update, native BLAS ${native ? 'on' : 'off'}: ${kernels} kernels, ${total.toFixed(2)} ms in kernels (each group's minimum over ${args.reps} updates)`);
console.log('| kernel | count | total ms | share |');
console.log('|--------|-------|----------|-------|');
const rows = [...groups.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(args.top));
for (const [name, g] of rows) console.log(`| ${name} | ${g.count} | ${g.ms.toFixed(3)} | ${((100 * g.ms) / total).toFixed(1)} % |`);
learner.dispose();
