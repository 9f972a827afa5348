/**
 * Where a matrix optimizer's share of a SAC update goes: the optimizer steps alone (no forward or
 * backward pass) on the parameter shapes of SAC's default networks, fused native steps against
 * the tf-ops steps, in this process's CPU time.
 *
 *   npx tsx scripts/bench/optim-steps.ts [--rounds 20] [--optims adam,soap,muon,fismo:rootInterval=10]
 *
 * Shapes (obs 17, act 6, 256×256): the actor [17,256], [256,256], [256,12] with biases, two
 * critics [23,256], [256,256], [256,1] with biases, and log α; each network has its own optimizer,
 * as in SAC. Gradients are fixed N(0,1) tensors. Two warm-up steps come first (SOAP's basis-filling
 * one among them); the mean over the rounds includes the refreshes that fall in them, the median
 * is a step without. Subtract these from `scripts/bench/optim.ts`'s figures to see the rest of the
 * update, which is the same for every optimizer.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/backend.js';
import { nativeBlasActive } from '../../src/native-blas.js';
import { fusedOptimizerSteps, setFusedOptimizerSteps } from '../../src/native-optim.js';
import { createOptimizer } from '../../src/optim/registry.js';
import { Rng } from '../../src/rng.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    optims: { type: 'string', default: 'adam,soap,muon,fismo:rootInterval=10,fismo:rootInterval=100' },
  },
});
const ROUNDS = Number(args.rounds);

await initBackend();
const NETS: Record<string, number[][]> = {
  actor: [[17, 256], [256], [256, 256], [256], [256, 12], [12]],
  critic: [[23, 256], [256], [256, 256], [256], [256, 1], [1], [23, 256], [256], [256, 256], [256], [256, 1], [1]],
  alpha: [[]],
};

function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Mean and median CPU ms of one step of optimizer `entry` (NAME or NAME:OPTION=VALUE:...) summed over SAC's three networks. */
function measure(entry: string): { mean: number; median: number } {
  const [name, ...inline] = entry.split(':');
  const options = Object.fromEntries(inline.map((kv) => [kv.slice(0, kv.indexOf('=')), JSON.parse(kv.slice(kv.indexOf('=') + 1))]));
  const rng = new Rng(1);
  const perRound = new Array<number>(ROUNDS).fill(0);
  for (const shapes of Object.values(NETS)) {
    const vars = shapes.map((s) => tf.tidy(() => tf.variable(tf.randomNormal(s, 0, 0.1, 'float32', rng.seed()))));
    const grads = shapes.map((s) => tf.randomNormal(s, 0, 1, 'float32', rng.seed()));
    const opt = createOptimizer(name, { lr: 1e-3, ...options });
    const step = () => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    step();
    step();
    for (let r = 0; r < ROUNDS; r++) perRound[r] += cpuMs(step);
    opt.dispose();
    tf.dispose([...vars, ...grads]);
  }
  const sorted = [...perRound].sort((a, b) => a - b);
  return { mean: perRound.reduce((a, b) => a + b, 0) / ROUNDS, median: sorted[ROUNDS >> 1] };
}

const paths = nativeBlasActive() && fusedOptimizerSteps() !== null ? [true, false] : [false];
console.log(`optimizer steps alone, SAC's 256×256 shapes, CPU ms per SAC update (${ROUNDS} rounds); ${nativeBlasActive() ? 'native BLAS path' : 'wasm kernels only'}`);
console.log('| optimizer | steps | mean ms | median ms |');
console.log('|---|---|---:|---:|');
for (const entry of args.optims.split(',')) {
  // Adam has no fused step of its own here: its one-kernel step belongs to the native path itself.
  for (const fused of entry.startsWith('adam') ? paths.slice(0, 1) : paths) {
    setFusedOptimizerSteps(fused);
    const { mean, median } = measure(entry);
    const kind = entry.startsWith('adam') ? (nativeBlasActive() ? 'native Adam kernel' : 'tf ops') : fused ? 'fused native' : 'tf ops';
    console.log(`| ${entry} | ${kind} | ${mean.toFixed(2)} | ${median.toFixed(2)} |`);
  }
}
