/**
 * Behavioural-cloning benchmark: `imitate bc` from a demonstration file with 1, 4 and 16 demos
 * (by default) and several seeds, each in its own process (what a user runs), reporting the
 * normalized score (R − R_random) / (R_expert − R_random) with both returns taken from the
 * file's metadata.
 *
 *   npm run build && npx tsx scripts/bench/bc.ts --demos experts/Pendulum-v1/demos.h5 \
 *     --env Pendulum-v1 [--num-demos 1,4,16] [--seeds 0,1,2] [--workers 2] [--out runs/bench-bc] \
 *     [--set key=value ...]
 *
 * Each run stays in OUT/bc-<env>-n<N>-seed<S>/ (config.json, policy/, summary.json); a run whose
 * summary.json exists is not redone, so an interrupted benchmark reruns only what is missing. The
 * table goes to stdout and OUT/bc-<env>.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function get(argv: string[], flag: string, fallback?: string): string {
  const i = argv.indexOf(flag);
  if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
  if (fallback === undefined) throw new Error(`missing ${flag}`);
  return fallback;
}

interface Summary {
  returnMean: number;
  returnStd: number;
  normalizedScore: number | null;
  expertReturn: number;
  randomReturn: number | null;
  transitions: number;
  finalLoss: number;
  wallSeconds: number;
}

function runOne(args: { demos: string; env: string; out: string; sets: string[] }, n: number, seed: number): Promise<Summary | null> {
  const dir = path.join(args.out, `bc-${args.env}-n${n}-seed${seed}`);
  const file = path.join(dir, 'summary.json');
  if (existsSync(file)) return Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as Summary);
  const cli = [path.join(root, 'bin', 'imitate.js'), 'bc', '--demos', args.demos, '--env', args.env, '--out', dir, '--num-demos', String(n), '--seed', String(seed), '--quiet', ...args.sets.flatMap((s) => ['--set', s])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cli, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => resolve(code === 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Summary) : null));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const sets: string[] = [];
  argv.forEach((a, i) => a === '--set' && sets.push(argv[i + 1]));
  const args = {
    demos: get(argv, '--demos'),
    env: get(argv, '--env'),
    numDemos: get(argv, '--num-demos', '1,4,16').split(',').map(Number),
    seeds: get(argv, '--seeds', '0,1,2').split(',').map(Number),
    workers: Number(get(argv, '--workers', '2')),
    out: get(argv, '--out', 'runs/bench-bc'),
    sets,
  };
  mkdirSync(args.out, { recursive: true });
  const jobs = args.numDemos.flatMap((n) => args.seeds.map((seed) => ({ n, seed })));
  const results: { n: number; seed: number; summary: Summary | null }[] = [];
  await Promise.all(
    Array.from({ length: Math.min(args.workers, jobs.length) }, async () => {
      for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
        const summary = await runOne(args, job.n, job.seed);
        console.log(`  ${job.n} demos, seed ${job.seed}: ${summary === null ? 'FAILED' : `return ${summary.returnMean.toFixed(1)}, normalized ${summary.normalizedScore?.toFixed(3)}`}`);
        results.push({ ...job, summary });
      }
    }),
  );
  const stats = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
  };
  console.log(`\nBC on ${args.env} from ${args.demos}, seeds ${args.seeds.join(', ')}`);
  console.log('| demos | transitions | return (mean ± std over seeds) | normalized score (mean ± std) | per seed |');
  console.log('|---|---|---|---|---|');
  const rows = args.numDemos.map((n) => {
    const done = results.filter((r) => r.n === n && r.summary !== null).sort((a, b) => a.seed - b.seed);
    const ret = stats(done.map((r) => r.summary!.returnMean));
    const score = stats(done.map((r) => r.summary!.normalizedScore ?? NaN));
    const per = done.map((r) => (r.summary!.normalizedScore ?? NaN).toFixed(3)).join(', ');
    console.log(`| ${n} | ${done[0]?.summary?.transitions ?? '-'} | ${ret.mean.toFixed(1)} ± ${ret.std.toFixed(1)} | ${score.mean.toFixed(3)} ± ${score.std.toFixed(3)} | ${per} |`);
    return { numDemos: n, seeds: done.map((r) => r.seed), returnMean: ret, normalizedScore: score, runs: done.map((r) => ({ seed: r.seed, ...r.summary })) };
  });
  const out = path.join(args.out, `bc-${args.env}.json`);
  writeFileSync(out, `${JSON.stringify({ ...args, rows, date: new Date().toISOString(), node: process.version }, null, 2)}\n`);
  console.log(`written ${out}`);
}

await main();
