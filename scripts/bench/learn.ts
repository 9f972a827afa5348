/**
 * Learning benchmark: trains one algorithm on one env for several seeds, each in its own
 * process through the `imitate train` command (so it measures what a user runs), and reports
 * each seed's evaluation curve against a return threshold.
 *
 *   npm run build && npx tsx scripts/bench/learn.ts --algo sac --env Pendulum-v1 \
 *     --steps 15000 --threshold -200 --seeds 0,1,2 [--workers 2] [--eval-every 1000] \
 *     [--out runs/bench] [--set key=value ...]
 *
 * A seed passes when the evaluation at the last step (the mean return of `evalEpisodes`
 * deterministic episodes) is at or above the threshold. The per-seed runs stay in
 * OUT/<algo>-<env>-seed<S>/ (config.json, eval.csv, summary.json) and a JSON summary of the
 * benchmark is written to OUT/<algo>-<env>-<steps>.json. A seed whose run directory already holds
 * a finished run of the same length (summary.json) is not trained again, so an interrupted
 * benchmark can be rerun to finish only what is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Args {
  algo: string;
  env: string;
  steps: number;
  threshold: number;
  seeds: number[];
  workers: number;
  evalEvery: number;
  out: string;
  sets: string[];
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, fallback?: string): string => {
    const i = argv.indexOf(flag);
    if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
    if (fallback === undefined) throw new Error(`missing ${flag}`);
    return fallback;
  };
  const sets: string[] = [];
  argv.forEach((a, i) => a === '--set' && sets.push(argv[i + 1]));
  return {
    algo: get('--algo'),
    env: get('--env'),
    steps: Number(get('--steps')),
    threshold: Number(get('--threshold')),
    seeds: get('--seeds', '0,1,2').split(',').map(Number),
    workers: Number(get('--workers', '2')),
    evalEvery: Number(get('--eval-every', '1000')),
    out: get('--out', 'runs/bench'),
    sets,
  };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runSeed(args: Args, seed: number): Promise<{ seed: number; code: number; seconds: number; dir: string }> {
  const dir = path.join(args.out, `${args.algo}-${args.env}-seed${seed}`);
  const summaryFile = path.join(dir, 'summary.json');
  if (existsSync(summaryFile)) {
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { steps: number; wallSeconds: number };
    if (summary.steps === args.steps) {
      console.log(`  seed ${seed}: already trained in ${dir}`);
      return Promise.resolve({ seed, code: 0, seconds: summary.wallSeconds, dir });
    }
  }
  const cli = [
    path.join(root, 'bin', 'imitate.js'), 'train', '--algo', args.algo, '--env', args.env, '--steps', String(args.steps),
    '--seed', String(seed), '--out', dir, '--set', `evalEvery=${args.evalEvery}`, ...args.sets.flatMap((s) => ['--set', s]),
  ];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cli, { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = '';
    child.stdout.on('data', (d: Buffer) => {
      last = d.toString().trim().split('\n').pop() ?? last;
    });
    const timer = setInterval(() => console.log(`  seed ${seed}: ${last}`), 60_000);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ seed, code: code ?? 1, seconds: (Date.now() - t0) / 1000, dir });
    });
  });
}

function readEval(dir: string): { step: number; mean: number; std: number }[] {
  const file = path.join(dir, 'eval.csv');
  if (!existsSync(file)) return [];
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const at = (name: string) => cols.indexOf(name);
  return rows.map((r) => {
    const v = r.split(',').map(Number);
    return { step: v[at('step')], mean: v[at('return_mean')], std: v[at('return_std')] };
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  console.log(`${args.algo} on ${args.env}: ${args.steps} steps, seeds ${args.seeds.join(', ')}, threshold ${args.threshold}, ${args.workers} workers`);
  const queue = [...args.seeds];
  const results: Awaited<ReturnType<typeof runSeed>>[] = [];
  await Promise.all(
    Array.from({ length: Math.min(args.workers, queue.length) }, async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) results.push(await runSeed(args, s));
    }),
  );
  results.sort((a, b) => a.seed - b.seed);
  const rows = results.map((r) => {
    const curve = readEval(r.dir);
    const final = curve.at(-1);
    const first = curve.find((e) => e.mean >= args.threshold);
    const pass = r.code === 0 && final !== undefined && final.step === args.steps && final.mean >= args.threshold;
    return { seed: r.seed, exitCode: r.code, seconds: r.seconds, finalStep: final?.step ?? null, finalMean: final?.mean ?? null, finalStd: final?.std ?? null, firstStepAtThreshold: first?.step ?? null, pass, curve };
  });
  console.log('seed  final step  final eval (mean ± std)  first step ≥ threshold  wall s  pass');
  for (const r of rows) {
    const final = r.finalMean === null ? '-' : `${r.finalMean.toFixed(1)} ± ${r.finalStd?.toFixed(1)}`;
    console.log(`${String(r.seed).padStart(4)}  ${String(r.finalStep ?? '-').padStart(10)}  ${final.padStart(23)}  ${String(r.firstStepAtThreshold ?? '-').padStart(22)}  ${r.seconds.toFixed(0).padStart(6)}  ${r.pass ? 'yes' : 'NO'}`);
  }
  const passed = rows.filter((r) => r.pass).length;
  console.log(`${passed} of ${rows.length} seeds reached ${args.threshold} at step ${args.steps}`);
  const file = path.join(args.out, `${args.algo}-${args.env}-${args.steps}.json`);
  writeFileSync(file, `${JSON.stringify({ ...args, passed, rows, date: new Date().toISOString(), node: process.version }, null, 2)}\n`);
  console.log(`written ${file}`);
}

await main();
