/**
 * Cost of one learner update, of one act() call and of the training loop, on the native BLAS path
 * and on the wasm kernels alone, side by side with PyTorch measured in the same run.
 *
 *   npx tsx scripts/bench/update.ts [--updates 40] [--warmup 5] [--acts 2000] \
 *     [--train-steps 2000] [--stock] [--no-torch] [--json]
 *
 * Workload (spec/tfjs-backends.md §1.2): batch 256, obs 17, act 6, 256×256 ReLU networks, a fixed
 * synthetic batch (scripts/bench/synthetic-batch.ts). Each figure is the median over the timed
 * updates, in wall time and in this process's CPU time (the CPU figure is what to compare on a
 * busy machine: other processes add wall time, not CPU time). The paths alternate update by
 * update so both see the same machine. `--stock` adds the wasm path with tfjs's stock matmul
 * gradient (the 5× of the learners issue).
 *
 * PyTorch: scripts/bench/update_torch.py runs the same updates and the same Pendulum-v1 loop when
 * /usr/bin/python3 (or IMITATE_TORCH_PYTHON) imports torch, at 1, 2 and all threads (torch's and
 * OpenBLAS's); the ratio uses its best thread count. Our native path uses IMITATE_BLAS_THREADS
 * (default 1): run the script again with IMITATE_BLAS_THREADS=2 for ours at two.
 *
 * Training: SAC and TD3 on Pendulum-v1 for `--train-steps` steps (100 random steps, then one
 * 256-batch update per env step, 256×256 networks, no evaluation): env steps per second of the
 * whole loop, the figure a user sees.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '../../agents/index.js';
import { parseSacConfig, Sac } from '../../agents/sac.js';
import { parseTd3Config, Td3 } from '../../agents/td3.js';
import '../../envs/index.js';
import { initBackend } from '../../src/backend.js';
import type { Learner } from '../../src/learner.js';
import { nativeBlasActive, nativeBlasInfo, setNativeBlasEnabled } from '../../src/native-blas.js';
import { setStockDenseGradient } from '../../src/nn/dense.js';
import { make } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';
import { train } from '../../src/train/loop.js';
import { syntheticBatch } from './synthetic-batch.js';

const { values: args } = parseArgs({
  options: {
    updates: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '5' },
    acts: { type: 'string', default: '2000' },
    'train-steps': { type: 'string', default: '2000' },
    stock: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const UPDATES = Number(args.updates);
const WARMUP = Number(args.warmup);
const ACTS = Number(args.acts);
const TRAIN_STEPS = Number(args['train-steps']);
const OBS = 17;
const ACT = 6;
const NETS = { actorNet: [256, 256], criticNet: [256, 256] };

const info = await initBackend();
const hasNative = nativeBlasActive();

interface Path {
  name: string;
  native: boolean;
  stock: boolean;
}
const paths: Path[] = [
  ...(hasNative ? [{ name: 'native', native: true, stock: false }] : []),
  { name: 'wasm', native: false, stock: false },
  ...(args.stock ? [{ name: 'wasm, stock gradient', native: false, stock: true }] : []),
];
function use(p: Path): void {
  setNativeBlasEnabled(p.native);
  setStockDenseGradient(p.stock);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall and CPU milliseconds of f. */
function timed(f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

type Maker = (rng: Rng) => Learner;
// Both on the same 256×256 networks, so the rows compare algorithms, not sizes (TD3's own default is 400×300).
const makers: Record<'sac' | 'td3', Maker> = {
  sac: (rng) => new Sac(parseSacConfig(NETS), { obsDim: OBS, actDim: ACT, rng }),
  td3: (rng) => new Td3(parseTd3Config(NETS), { obsDim: OBS, actDim: ACT, rng }),
};

/** Update times per path, the paths interleaved update by update. TD3: critic-only and critic+actor updates alternate (policy delay 2). */
function updateTimes(algo: 'sac' | 'td3'): Record<string, { wall: number; cpu: number }> {
  const batch = syntheticBatch(new Rng(2), 256, OBS, ACT);
  const learners = paths.map(() => makers[algo](new Rng(0).stream(algo)));
  const walls: number[][] = paths.map(() => []);
  const cpus: number[][] = paths.map(() => []);
  for (let i = 0; i < WARMUP + UPDATES; i++) {
    paths.forEach((p, j) => {
      use(p);
      const t = timed(() => learners[j].update(batch));
      if (i >= WARMUP) {
        walls[j].push(t.wall);
        cpus[j].push(t.cpu);
      }
    });
  }
  learners.forEach((l) => l.dispose());
  return Object.fromEntries(paths.map((p, j) => [p.name, { wall: median(walls[j]), cpu: median(cpus[j]) }]));
}

/** Microseconds per act() (explore) and per Pendulum-v1 env.step, in the same loop conditions. */
function actTimes(): Record<string, number> {
  const learner = makers.sac(new Rng(0).stream('sac'));
  const obs = syntheticBatch(new Rng(1), 1, OBS, ACT).obs;
  const out: Record<string, number> = {};
  for (const p of paths.filter((q) => !q.stock)) {
    use(p);
    for (const mode of ['explore', 'deterministic'] as const) {
      for (let i = 0; i < 50; i++) learner.act(obs, mode);
      const t0 = performance.now();
      for (let i = 0; i < ACTS; i++) learner.act(obs, mode);
      out[`act ${mode} (${p.name})`] = ((performance.now() - t0) / ACTS) * 1000;
    }
  }
  learner.dispose();
  const env = make('Pendulum-v1');
  env.reset({ seed: 0 });
  const action = new Float32Array([0.5]);
  const steps = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const [, , terminated, truncated] = env.step(action);
    if (terminated || truncated) env.reset();
  }
  out['Pendulum-v1 env.step'] = ((performance.now() - t0) / steps) * 1000;
  env.close();
  return out;
}

/** Env steps per second of the whole loop (act, step, store, sample, update) on Pendulum-v1. */
async function trainingRate(algo: string, p: Path): Promise<number> {
  use(p);
  const dir = mkdtempSync(path.join(tmpdir(), 'imitate-bench-'));
  try {
    const config = { algo, env: 'Pendulum-v1', steps: TRAIN_STEPS, seed: 0, evalEvery: 0, evalEpisodes: 1, checkpointEvery: 0, learner: NETS };
    const { summary } = await train(config, { dir: path.join(dir, 'run'), quiet: true });
    return summary.stepsPerSecond;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface TorchResult {
  torch: string;
  per_threads: { threads: number; sac_ms: number; td3_ms: number; sac_cpu_ms: number; td3_cpu_ms: number }[];
  best: { threads: number; sac_ms: number; td3_ms: number };
  pendulum_sac_steps_per_s: number | null;
}

/**
 * PyTorch's figures from update_torch.py, or why there are none. One process per thread count,
 * with OPENBLAS_NUM_THREADS set to it: torch.set_num_threads does not bound OpenBLAS's own pool,
 * so a "1 thread" PyTorch would otherwise multiply on every core.
 */
function torchFigures(): TorchResult | string {
  if (args['no-torch']) return '--no-torch';
  const python = process.env.IMITATE_TORCH_PYTHON ?? '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${python} has no torch (Debian: apt-get install python3-torch)`;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'update_torch.py');
  const results: TorchResult[] = [];
  for (const threads of [...new Set([1, 2, cpus().length])]) {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
    const r = spawnSync(python, [script, '--json', '--threads', String(threads), '--updates', String(UPDATES), '--warmup', String(WARMUP), '--train-steps', String(TRAIN_STEPS)], { encoding: 'utf8', env });
    if (r.status !== 0) return `update_torch.py failed: ${r.stderr.trim().split('\n').pop()}`;
    results.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult);
  }
  const per_threads = results.flatMap((r) => r.per_threads);
  const best = results.reduce((a, b) => (b.best.sac_ms < a.best.sac_ms ? b : a));
  return { torch: best.torch, per_threads, best: best.best, pendulum_sac_steps_per_s: best.pendulum_sac_steps_per_s };
}

const updates = { sac: updateTimes('sac'), td3: updateTimes('td3') };
const acting = actTimes();
const training: Record<string, Record<string, number>> = { sac: {}, td3: {} };
if (TRAIN_STEPS > 0) {
  for (const p of paths.filter((q) => !q.stock)) {
    for (const algo of ['sac', 'td3']) training[algo][p.name] = await trainingRate(algo, p);
  }
}
setNativeBlasEnabled(true);
setStockDenseGradient(false);
const torch = torchFigures();

if (args.json) {
  console.log(JSON.stringify({ backend: info.choice, nativeBlas: nativeBlasInfo(), updates: UPDATES, updateMs: updates, actingUs: acting, trainingStepsPerSecond: training, torch }, null, 2));
} else {
  const nb = nativeBlasInfo();
  console.log(`backend ${info.choice}${info.simd ? ' (SIMD)' : ''}; native BLAS: ${hasNative ? `${nb.library}, ${nb.threads} thread(s)` : `off (${nb.reason})`}`);
  console.log(`workload: batch 256, obs ${OBS}, act ${ACT}, 256×256 ReLU; median of ${UPDATES} updates after ${WARMUP} warm-up, paths interleaved`);
  const t = typeof torch === 'string' ? null : torch;
  console.log('| update | path | wall ms | CPU ms | vs PyTorch (wall) | vs PyTorch (CPU) |');
  console.log('|--------|------|---------|--------|-------------------|------------------|');
  const ratio = (x: number, ref: number | null) => (ref === null ? '–' : `${(x / ref).toFixed(2)}×`);
  for (const algo of ['sac', 'td3'] as const) {
    const best = t?.per_threads.find((r) => r.threads === t.best.threads) ?? null;
    const refWall = best === null ? null : algo === 'sac' ? best.sac_ms : best.td3_ms;
    const refCpu = best === null ? null : algo === 'sac' ? best.sac_cpu_ms : best.td3_cpu_ms;
    for (const p of paths) {
      const u = updates[algo][p.name];
      console.log(`| ${algo} | ${p.name} | ${u.wall.toFixed(1)} | ${u.cpu.toFixed(1)} | ${ratio(u.wall, refWall)} | ${ratio(u.cpu, refCpu)} |`);
    }
    if (t !== null) console.log(`| ${algo} | PyTorch ${t.torch}, ${t.best.threads} thread(s) | ${refWall!.toFixed(1)} | ${refCpu!.toFixed(1)} | 1.00× | 1.00× |`);
  }
  if (t !== null) for (const r of t.per_threads) console.log(`PyTorch ${r.threads} thread(s): SAC ${r.sac_ms.toFixed(1)} ms, TD3 ${r.td3_ms.toFixed(1)} ms (wall)`);
  else console.log(`PyTorch: not measured (${torch})`);
  for (const [k, v] of Object.entries(acting)) console.log(`${k}: ${v.toFixed(1)} µs`);
  if (TRAIN_STEPS > 0) {
    const parts = Object.entries(training).flatMap(([algo, byPath]) => Object.entries(byPath).map(([p, v]) => `${algo} ${p} ${v.toFixed(1)}`));
    const ref = t?.pendulum_sac_steps_per_s ?? null;
    console.log(`Pendulum-v1 training, ${TRAIN_STEPS} steps, steps/s: ${parts.join(', ')}${ref === null ? '' : `; PyTorch SAC ${ref.toFixed(1)} (ours native ${((training.sac.native ?? NaN) / ref).toFixed(2)}×)`}`);
  }
}
