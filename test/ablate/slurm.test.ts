// A study run as a real Slurm job array (CI's single-node cluster, started by .ci/start-slurm)
// gives the same results, run for run, as the same study through the local executor. Skips when
// this machine has no Slurm, unless IMITATE_REQUIRE_SLURM=1 (set by .ci/run), where that fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readPlan } from '../../src/ablate/plan.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = path.join(root, 'bin/imitate.js');
// Two executors over four short runs each: well under a minute on two idle cores, longer when loaded.
t.setTimeout(1_200_000);
// The learner study's smoke profile: SAC and TD3 under GAIL, seeds 0 and 1, an array of four tasks.
const study = ['ablate', '--study', 'learner', '--profile', 'smoke'];

/** Why this machine cannot run the test, or null when a Slurm controller answers with a usable node. */
function slurmMissing(): string | null {
  const version = spawnSync('sbatch', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined) return 'no sbatch on PATH (a Slurm client and a running cluster are needed; see .ci/start-slurm)';
  const sinfo = spawnSync('sinfo', ['--noheader', '--format=%t'], { encoding: 'utf8', timeout: 20_000 });
  if (sinfo.status !== 0) return `sbatch is installed but sinfo reaches no Slurm controller (${sinfo.stderr.trim().split('\n')[0] || sinfo.error?.message}); start one with .ci/start-slurm`;
  if (!/^(idle|mix|alloc)/m.test(sinfo.stdout)) return `Slurm has no node up (sinfo: ${sinfo.stdout.trim().replaceAll('\n', ', ') || 'no nodes'})`;
  return null;
}

/** Runs `imitate …` to completion; its exit code and output. */
function imitate(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`imitate ${args.join(' ')} ran past ${timeoutMs / 1000} s; output so far:\n${out}\n${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const missing = slurmMissing();
const required = process.env.IMITATE_REQUIRE_SLURM === '1';
if (missing !== null && required) t.fail(`IMITATE_REQUIRE_SLURM=1 but ${missing}`);

t.test('a study through sbatch gives the same runs as through the local pool', { skip: missing !== null && !required ? missing : false }, async (t) => {
  if (missing !== null) return;
  if (!existsSync(`${root}dist/src/cli.js`)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const base = t.testdir();
  const onSlurm = path.join(base, 'slurm');
  const local = path.join(base, 'local');

  const s = await imitate([...study, '--out', onSlurm, '--executor', 'slurm', '--poll', '1'], 400_000);
  t.equal(s.code, 0, `slurm executor:\n${s.out}\n${s.err}`);
  const job = /submitted job array (\d+): 4 of 4 runs; task logs in /.exec(s.out)?.[1];
  t.ok(job, `a job array was submitted:\n${s.out}`);
  t.match(s.out, /^(task states from sacct|sacct unavailable \(.+\): task states from the run directories \(summary\.json\))$/m, 'it says where the task states came from');
  t.match(s.out, /^4 of 4 runs finished \(0 already were\)$/m);
  const plan = readPlan(onSlurm);
  t.same(plan.runs.map((r) => r.id), ['sac/Pendulum-v1/demos1/seed0', 'sac/Pendulum-v1/demos1/seed1', 'td3/Pendulum-v1/demos1/seed0', 'td3/Pendulum-v1/demos1/seed1']);
  // Every task ran under Slurm: its log is the one the script names, with the task's own line.
  t.same(readdirSync(path.join(onSlurm, 'slurm', 'logs')).sort(), plan.runs.map((_, i) => `${job}_${i}.out`).sort());
  plan.runs.forEach((run, i) => {
    const log = readFileSync(path.join(onSlurm, 'slurm', 'logs', `${job}_${i}.out`), 'utf8');
    t.match(log, new RegExp(`^imitate: study task ${i} \\(job ${job}\\) on `), `task ${i} log`);
    t.match(log, `${run.id}: started, exit 0`, `task ${i} ran ${run.id}`);
  });

  const l = await imitate([...study, '--out', local, '--workers', '2'], 400_000);
  t.equal(l.code, 0, `local executor:\n${l.out}\n${l.err}`);
  t.same(readPlan(local).runs, plan.runs, 'both directories hold the same plan');

  for (const run of plan.runs) {
    const evalCsv = (dir: string) => readFileSync(path.join(dir, 'runs', run.id, 'eval.csv'), 'utf8');
    const finalEval = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'runs', run.id, 'summary.json'), 'utf8')) as { finalEval: unknown }).finalEval;
    const rows = evalCsv(onSlurm).trim().split('\n').slice(1);
    t.ok(rows.length >= 2 && rows.at(-1)!.startsWith(`${run.steps},`), `${run.id}: evaluations up to step ${run.steps}`);
    t.equal(evalCsv(onSlurm), evalCsv(local), `${run.id}: eval.csv identical`);
    t.same(finalEval(onSlurm), finalEval(local), `${run.id}: final evaluation identical`);
  }
  // The same report, byte for byte, whichever executor ran the study.
  t.match(s.out, /^report: .*report\.md \(4 of 4 runs\)/m);
  for (const file of ['report.md', 'curves.png', 'curves.svg', 'iqm.png', 'iqm.svg']) {
    t.ok(readFileSync(path.join(onSlurm, file)).equals(readFileSync(path.join(local, file))), `${file} identical`);
  }

  // Nothing finished is submitted again.
  const again = await imitate([...study, '--out', onSlurm, '--executor', 'slurm', '--poll', '1'], 60_000);
  t.equal(again.code, 0, again.err);
  t.match(again.out, 'all 4 runs of learner are finished; nothing to submit');
  t.equal(readdirSync(path.join(onSlurm, 'slurm', 'logs')).length, 4, 'no new task ran');
});
