// The Slurm executor without a cluster: the array script (indices of unfinished runs only, range
// compression, quoting that survives bash and Slurm, option checks), and the submit / follow /
// account logic against fake sbatch, squeue and sacct commands put first on PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runDir, type RunPlan, type StudyPlan } from '../../src/ablate/plan.js';
import { arrayTaskIds, parseSacct, parseSbatchJobId, parseSqueue } from '../../src/ablate/slurm-commands.js';
import { compressIndices, SLURM_LOGS, slurmScriptText, unfinishedIndices, writeSlurmScript } from '../../src/ablate/slurm-script.js';
import { runSlurm, type SlurmRunOptions } from '../../src/ablate/slurm.js';
import { Rng } from '../../src/rng.js';
import { fakeSlurm } from '../helpers/fake-slurm.js';

/** A plan of `n` runs (nothing in it is executed here). */
function fakePlan(n: number): StudyPlan {
  const runs: RunPlan[] = Array.from({ length: n }, (_, i) => ({
    id: `arm${i % 2}/Pendulum-v1/demos1/seed${i}`,
    arm: `arm${i % 2}`,
    env: 'Pendulum-v1',
    numDemos: 1,
    seed: i,
    steps: 300,
    args: ['gail', '--env', 'Pendulum-v1', '--seed', `${i}`],
  }));
  return { study: 'toy', description: 'a toy study', profile: 'smoke', arms: [{ name: 'arm0', label: 'A' }, { name: 'arm1', label: 'B' }], envs: ['Pendulum-v1'], runs };
}

/** Marks run `i` finished the way the executor does: a summary.json in its run directory. */
function finish(studyDir: string, plan: StudyPlan, i: number): void {
  const dir = runDir(studyDir, plan.runs[i]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'summary.json'), '{}\n');
}

/** The bash command a fake squeue or sacct snippet runs to finish run `i`. */
const finishCmd = (studyDir: string, plan: StudyPlan, i: number) => {
  const dir = runDir(studyDir, plan.runs[i]);
  return `mkdir -p '${dir}' && echo '{}' > '${dir}/summary.json'`;
};

/** Expands Slurm's `--array` syntax back into indices (the inverse of compressIndices). */
const expand = (spec: string) => arrayTaskIds(`1_[${spec}]`, '1') ?? [];

t.test('compressIndices writes ascending indices as ranges that expand back to them', async (t) => {
  t.equal(compressIndices([]), '');
  t.equal(compressIndices([4]), '4');
  t.equal(compressIndices([0, 1, 2, 5, 7, 8, 9]), '0-2,5,7-9');
  t.equal(compressIndices([3, 5]), '3,5');
  t.equal(compressIndices([10, 11]), '10-11');
  const rng = new Rng(11).stream('indices');
  const wrong: string[] = [];
  for (let trial = 0; trial < 200; trial++) {
    const keep = rng.uniform(0.05, 0.95);
    const indices = Array.from({ length: 60 }, (_, i) => i).filter(() => rng.random() < keep);
    const spec = compressIndices(indices);
    if (JSON.stringify(indices.length === 0 ? [] : expand(spec)) !== JSON.stringify(indices)) wrong.push(`${indices} -> ${spec}`);
    // Maximal ranges: no two parts touch, so the string is as short as it can be.
    const parts = spec === '' ? [] : spec.split(',').map((p) => p.split('-').map(Number));
    for (let k = 1; k < parts.length; k++) if (parts[k][0] <= parts[k - 1].at(-1)! + 1) wrong.push(`${spec}: parts ${k - 1} and ${k} touch`);
  }
  t.same(wrong, [], '200 random index sets round-trip through maximal ranges');
});

t.test('the script holds an array over the unfinished runs only, with every option', async (t) => {
  const dir = t.testdir();
  const plan = fakePlan(10);
  for (const i of [0, 1, 2, 4, 6]) finish(dir, plan, i);
  // An interrupted run (a directory but no summary.json) is unfinished.
  mkdirSync(runDir(dir, plan.runs[3]), { recursive: true });
  const r = writeSlurmScript(dir, plan, { maxParallel: 2, time: '1:30:00', partition: 'cpu,short', mem: '4G', directives: ['--account=abc', '#SBATCH --qos=long'], node: '/opt/node/bin/node', bin: '/opt/imitate/bin/imitate.js' });
  t.same(r.indices, [3, 5, 7, 8, 9]);
  t.equal(r.script, path.resolve(dir, 'slurm', 'array.sbatch'));
  t.equal(readFileSync(r.script, 'utf8'), r.text);
  t.ok(existsSync(path.resolve(dir, SLURM_LOGS)), 'the log directory exists before any task starts');
  t.same(readdirSync(path.join(dir, 'slurm')).sort(), ['array.sbatch', 'logs'], 'no temporary file is left');
  const lines = r.text.split('\n');
  t.equal(lines[0], '#!/bin/bash');
  const directives = lines.filter((l) => l.startsWith('#SBATCH'));
  t.same(directives, [
    '#SBATCH --job-name=imitate-toy',
    '#SBATCH --array=3,5,7-9%2',
    `#SBATCH --output="${path.resolve(dir)}/slurm/logs/%A_%a.out"`,
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --time=1:30:00',
    '#SBATCH --partition=cpu,short',
    '#SBATCH --mem=4G',
    '#SBATCH --account=abc',
    '#SBATCH --qos=long',
  ]);
  // sbatch stops reading directives at the first command, so they must all come before it.
  t.ok(lines.findIndex((l) => l !== '' && !l.startsWith('#')) > lines.lastIndexOf(directives.at(-1)!));
  t.equal(lines.filter((l) => l.startsWith('exec ')).length, 1);
  t.match(r.text, `exec /opt/node/bin/node /opt/imitate/bin/imitate.js ablate --out ${path.resolve(dir)} --task "$SLURM_ARRAY_TASK_ID"`);

  // Defaults: no limit on parallel tasks, one CPU, this Node.js and this installation's imitate.
  const d = slurmScriptText(dir, plan, [3]);
  t.match(d, /^#SBATCH --array=3$/m);
  t.match(d, /^#SBATCH --cpus-per-task=1$/m);
  t.notMatch(d, /--time|--partition|--mem/);
  t.match(d, `${process.execPath}`);
  t.match(d, path.join('bin', 'imitate.js'));
});

t.test('paths survive bash and Slurm whatever they contain', async (t) => {
  const root = t.testdir();
  const dir = path.join(root, `it's a $HOME \`x\` & 100% study`);
  mkdirSync(dir);
  const plan = fakePlan(3);
  // A stand-in for node that records the arguments it receives.
  const node = path.join(root, "no'de $PATH");
  const got = path.join(root, 'argv');
  writeFileSync(node, `#!/bin/bash\nprintf '%s\\0' "$@" > '${got}'\n`);
  chmodSync(node, 0o755);
  const bin = path.join(root, 'my imitate', 'imitate.js');
  const { script, text } = writeSlurmScript(dir, plan, { node, bin });
  // `%` starts a Slurm filename pattern, so a literal one is doubled.
  t.match(text, `#SBATCH --output="${path.resolve(dir).replace('%', '%%')}/slurm/logs/%A_%a.out"`);
  const r = spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_JOB_ID: '77' }, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^imitate: study task 2 \(job 77\) on \S+ at \d{4}-\d\d-\d\dT/);
  t.same(readFileSync(got, 'utf8').split('\0').slice(0, -1), [bin, 'ablate', '--out', path.resolve(dir), '--task', '2']);

  for (const bad of ['say "hi"', 'back\\slash', 'two\nlines']) {
    const d = path.join(root, bad);
    t.throws(() => slurmScriptText(d, plan, [0], { node, bin }), { message: /study directory .* contains .*an #SBATCH line cannot carry/ }, JSON.stringify(bad));
  }
});

t.test('bad options are refused with what and why', async (t) => {
  const dir = t.testdir();
  const plan = fakePlan(2);
  const cases: [object, RegExp][] = [
    [{ maxParallel: 0 }, /maxParallel must be a positive integer, got 0/],
    [{ cpusPerTask: 1.5 }, /cpusPerTask must be a positive integer, got 1.5/],
    [{ time: 'soon' }, /time: expected minutes, .* got "soon"/],
    [{ time: '1:30:00:00' }, /time: .* got "1:30:00:00"/],
    [{ mem: '4 GB' }, /mem: expected a size such as 4G or 500M, got "4 GB"/],
    [{ partition: 'a b' }, /partition: expected a partition name .* got "a b"/],
    [{ directives: ['--array=1-3'] }, /directive 1 \("--array=1-3"\): --array and --output are set by imitate/],
    [{ directives: ['--qos=x', '-o out.log'] }, /directive 2 .* --array and --output are set by imitate/],
    [{ directives: ['account=x'] }, /directive 1 \("account=x"\): expected an sbatch option such as --account=NAME/],
    [{ directives: ['--qos=x\n#SBATCH --array=0'] }, /directive 1 .* without line breaks/],
  ];
  for (const [options, message] of cases) t.throws(() => slurmScriptText(dir, plan, [0], options), { message }, JSON.stringify(options));
  for (const time of ['90', '5:00', '12:00:00', '2-0', '2-12:00', '2-12:00:00', 'UNLIMITED']) t.doesNotThrow(() => slurmScriptText(dir, plan, [0], { time }), time);
  // With every run finished there is no array to write.
  finish(dir, plan, 0);
  finish(dir, plan, 1);
  t.same(unfinishedIndices(dir, plan), []);
  t.throws(() => writeSlurmScript(dir, plan), { message: /no unfinished runs/ });
  t.notOk(existsSync(path.join(dir, 'slurm', 'array.sbatch')));
});

t.test("parsers read sbatch's, squeue's and sacct's machine-readable output", async (t) => {
  t.equal(parseSbatchJobId('4242\n'), '4242');
  t.equal(parseSbatchJobId('4242;cluster-a\n'), '4242');
  t.throws(() => parseSbatchJobId('Submitted batch job 4242'), { message: /not a job id/ });
  t.same(arrayTaskIds('12_7', '12'), [7]);
  t.same(arrayTaskIds('12_[0-2,5%2]', '12'), [0, 1, 2, 5]);
  t.equal(arrayTaskIds('12_7.batch', '12'), null, 'a step is not a task');
  t.equal(arrayTaskIds('120_7', '12'), null, 'another job');
  const q = parseSqueue(['12_[4-5%1]|PENDING|imitate-toy', '12_3|RUNNING|imitate-toy', '12_1|COMPLETED|imitate-toy', '12_0|FAILED|imitate-toy', '13_2|RUNNING|imitate-toy', ''].join('\n'), '12', 'imitate-toy');
  t.same([...q].sort(), [[0, 'FAILED'], [1, 'COMPLETED'], [3, 'RUNNING'], [4, 'PENDING'], [5, 'PENDING']]);
  t.equal(parseSqueue('12_3|RUNNING|someone-else\n', '12', 'imitate-toy').size, 0, 'a reused job id of another job is ignored');
  const a = parseSacct(['12_0|COMPLETED|0:0', '12_0.batch|COMPLETED|0:0', '12_1|FAILED|2:0', '12_2|CANCELLED by 0|0:15', '12_3|TIMEOUT|0:0', '12_[4-5]|PENDING|0:0', ''].join('\n'), '12');
  t.same(a.get(0), { state: 'COMPLETED', exitCode: 0, signal: 0 });
  t.same(a.get(1), { state: 'FAILED', exitCode: 2, signal: 0 });
  t.same(a.get(2), { state: 'CANCELLED', exitCode: 0, signal: 15 });
  t.same(a.get(3), { state: 'TIMEOUT', exitCode: 0, signal: 0 });
  t.same(a.get(5), { state: 'PENDING', exitCode: 0, signal: 0 });
  t.equal(a.size, 6);
});

/** runSlurm's options for tests: no waiting between polls, log lines collected. */
function options(lines: string[], over: Partial<SlurmRunOptions> = {}): SlurmRunOptions {
  return { pollSeconds: 0, log: (l) => lines.push(l), node: '/usr/bin/node', bin: '/opt/imitate/bin/imitate.js', ...over };
}

t.test('a dry run writes the script, says how to submit it, and submits nothing', async (t) => {
  const fake = fakeSlurm(t, { sbatch: ['echo 1'], squeue: ['true'], sacct: ['true'] });
  const dir = t.testdir();
  const plan = fakePlan(4);
  finish(dir, plan, 1);
  const lines: string[] = [];
  const r = await runSlurm(dir, plan, options(lines, { dryRun: true }));
  t.same(r, { jobId: null, tasks: 3, finished: 0, skipped: 1, failed: [], statesFrom: null });
  const script = path.resolve(dir, 'slurm', 'array.sbatch');
  t.match(readFileSync(script, 'utf8'), /^#SBATCH --array=0,2-3$/m);
  t.match(lines.join('\n'), `dry run: wrote ${script}, a job array of 3 of 4 runs (1 finished before)`);
  t.match(lines.join('\n'), `submit it with: sbatch ${script}`);
  t.equal(fake.calls('sbatch').length, 0);
  t.equal(fake.calls('squeue').length, 0);
});

t.test('submits, follows squeue to the end, reads sacct, and names each failure with its logs', async (t) => {
  const dir = t.testdir();
  const plan = fakePlan(6);
  finish(dir, plan, 0);
  finish(dir, plan, 2);
  const name = 'imitate-toy';
  const fake = fakeSlurm(t, {
    sbatch: ['echo "4242;main"'],
    squeue: [
      `echo '4242_[1,3-5%2]|PENDING|${name}'`,
      `${finishCmd(dir, plan, 1)}; printf '%s\\n' '4242_1|COMPLETED|${name}' '4242_3|RUNNING|${name}' '4242_[4-5%2]|PENDING|${name}'`,
      `${finishCmd(dir, plan, 3)}; ${finishCmd(dir, plan, 5)}; printf '%s\\n' '4242_1|COMPLETED|${name}' '4242_3|COMPLETED|${name}' '4242_4|FAILED|${name}' '4242_5|COMPLETED|${name}'`,
    ],
    sacct: [`printf '%s\\n' '4242_1|COMPLETED|0:0' '4242_1.batch|COMPLETED|0:0' '4242_3|COMPLETED|0:0' '4242_4|FAILED|3:0' '4242_4.batch|FAILED|3:0' '4242_5|COMPLETED|0:0'`],
  });
  const lines: string[] = [];
  const r = await runSlurm(dir, plan, options(lines, { maxParallel: 2 }));
  t.same(r, {
    jobId: '4242',
    tasks: 4,
    finished: 3,
    skipped: 2,
    statesFrom: 'sacct',
    failed: [{ index: 4, id: plan.runs[4].id, state: 'FAILED', exitCode: 3, log: path.resolve(dir, 'slurm/logs/4242_4.out'), runLog: path.resolve(runDir(dir, plan.runs[4]), 'run.log') }],
  });
  const script = path.resolve(dir, 'slurm', 'array.sbatch');
  t.same(fake.calls('sbatch'), [[path.resolve(dir), '--parsable', script]], 'sbatch ran once, from the study directory');
  t.match(readFileSync(script, 'utf8'), /^#SBATCH --array=1,3-5%2$/m);
  t.same(fake.calls('squeue').map((c) => c.slice(1)), Array(3).fill(['--noheader', '--array', '--states=all', '--jobs=4242', '--format=%i|%T|%j']));
  t.same(fake.calls('sacct').map((c) => c.slice(1)), [['--noheader', '--parsable2', '--allocations', '--jobs=4242', '--format=JobID,State,ExitCode']]);
  const out = lines.join('\n');
  t.match(out, `submitted job array 4242: 4 of 6 runs (2 finished before), at most 2 at once`);
  t.match(out, 'job 4242: 4 pending');
  t.match(out, `[1/4] ${plan.runs[1].id}: finished`);
  t.match(out, 'job 4242: 1 running, 2 pending');
  t.match(out, `${plan.runs[4].id}: FAILED, unfinished; see ${path.resolve(dir, 'slurm/logs/4242_4.out')}`);
  t.match(out, `[4/4] ${plan.runs[5].id}: finished`);
  t.match(out, 'task states from sacct');
  t.match(out, `FAILED ${plan.runs[4].id} (task 4): FAILED, exit 3`);
  t.match(out, 'job 4242: 3 of 4 tasks finished, 1 failed');

  // The next call resubmits only what is unfinished: run 4.
  const again = fakeSlurm(t, { sbatch: ['echo 4243'], squeue: ['true'], sacct: ['echo "4243_4|COMPLETED|0:0"'] });
  const r2 = await runSlurm(dir, plan, options([]));
  t.match(readFileSync(script, 'utf8'), /^#SBATCH --array=4$/m);
  t.equal(again.calls('sbatch').length, 1);
  t.equal(r2.tasks, 1);
  t.equal(r2.failed[0].state, 'COMPLETED', 'a task that exited 0 without a summary.json still failed');
});

t.test('without accounting, states come from the run directories and the last squeue states', async (t) => {
  const dir = t.testdir();
  const plan = fakePlan(3);
  const name = 'imitate-toy';
  fakeSlurm(t, {
    sbatch: ['echo 77'],
    // Run 0 finishes, run 1 fails; run 2 ends between polls and its record is purged (squeue says the job is gone).
    squeue: [`${finishCmd(dir, plan, 0)}; printf '%s\\n' '77_0|COMPLETED|${name}' '77_1|FAILED|${name}' '77_2|RUNNING|${name}'`, `echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1`],
    sacct: [`echo 'Slurm accounting storage is disabled' >&2; exit 1`],
  });
  const lines: string[] = [];
  const r = await runSlurm(dir, plan, options(lines));
  t.equal(r.statesFrom, 'run directories');
  t.equal(r.finished, 1);
  t.same(r.failed.map((f) => [f.index, f.state, f.exitCode]), [[1, 'FAILED', null], [2, 'RUNNING', null]]);
  const out = lines.join('\n');
  t.match(out, 'sacct unavailable (Slurm accounting storage is disabled): task states from the run directories (summary.json)');
  t.match(out, `${plan.runs[2].id}: left the queue, unfinished`);
});

t.test('a transient squeue error is retried; an array of the study still queued is followed, not resubmitted', async (t) => {
  const dir = t.testdir();
  const plan = fakePlan(2);
  const name = 'imitate-toy';
  // As after a dry run whose script was submitted by hand: squeue knows the job by its script.
  const { script } = writeSlurmScript(dir, plan);
  const fake = fakeSlurm(t, {
    sbatch: ['echo 901'],
    squeue: [
      `printf '%s\\n' '899|/elsewhere/slurm/array.sbatch|RUNNING' '900|${script}|PENDING' '900|${script}|PENDING'`,
      `echo '900_[0-1]|PENDING|${name}'`,
      `echo 'squeue: error: slurm_receive_msg: Socket timed out on send/recv operation' >&2; exit 1`,
      `${finishCmd(dir, plan, 0)}; ${finishCmd(dir, plan, 1)}; printf '%s\\n' '900_0|COMPLETED|${name}' '900_1|COMPLETED|${name}'`,
    ],
    sacct: ['exit 1'],
  });
  const lines: string[] = [];
  const r = await runSlurm(dir, plan, options(lines));
  t.equal(fake.calls('sbatch').length, 0, 'nothing was submitted');
  t.same(fake.calls('squeue')[0].slice(1), ['--noheader', '--array', `--user=${process.getuid!()}`, '--format=%F|%o|%T']);
  t.same([r.jobId, r.finished, r.failed.length], ['900', 2, 0]);
  t.match(lines.join('\n'), 'job 900 of this study is still in the queue: following it instead of submitting another');
  t.match(lines.join('\n'), 'squeue: squeue: error: slurm_receive_msg: Socket timed out on send/recv operation (retrying)');

  // Once that array has ended, the next call submits a new one for what is unfinished.
  rmSync(path.join(runDir(dir, plan.runs[1]), 'summary.json'));
  const later = fakeSlurm(t, { sbatch: ['echo 902'], squeue: [`echo '900|${script}|COMPLETED'`] });
  const again = await runSlurm(dir, plan, options(lines));
  t.equal(later.calls('sbatch').length, 1);
  t.same([again.jobId, again.tasks, again.skipped, again.failed.map((f) => f.index)], ['902', 1, 1, [1]]);
});

t.test('missing or rejecting sbatch is a clear error; an abort stops following', async (t) => {
  const dir = t.testdir();
  const plan = fakePlan(2);
  fakeSlurm(t, {});
  await t.rejects(runSlurm(dir, plan, options([])), { message: /^sbatch is not on PATH: run this on a Slurm login node, or use --dry-run to write .*array\.sbatch only, or --executor local$/ });
  fakeSlurm(t, { sbatch: [`echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1`] });
  await t.rejects(runSlurm(dir, plan, options([], { partition: 'gpu' })), { message: /sbatch rejected .*array\.sbatch \(exit 1\): sbatch: error: Batch job submission failed: Invalid partition name specified$/ });

  const ac = new AbortController();
  fakeSlurm(t, { sbatch: ['echo 55'], squeue: [`echo '55_[0-1]|PENDING|imitate-toy'`], sacct: ['exit 1'] });
  const lines: string[] = [];
  const pending = runSlurm(dir, plan, options(lines, { pollSeconds: 0.05, signal: ac.signal }));
  setTimeout(() => ac.abort(), 300);
  const r = await pending;
  t.same([r.jobId, r.interrupted, r.failed.length, r.finished], ['55', true, 0, 0]);
  t.match(lines.join('\n'), 'stopped following job 55; its tasks keep running on the cluster (scancel 55 stops them)');
});
