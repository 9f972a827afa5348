// `imitate ablate --executor slurm` through the CLI, against fake sbatch/squeue/sacct on PATH:
// the flags become the script's directives, bad or misplaced flags are refused before anything
// is planned, and the exit code says whether every run finished.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readPlan, runDir } from '../../src/ablate/plan.js';
import { fakeSlurm } from '../helpers/fake-slurm.js';
import { runCli as run } from '../helpers/run-cli.js';

const study = ['ablate', '--study', 'learner', '--profile', 'smoke', '--executor', 'slurm'];

t.test('the Slurm flags become directives of the dry run script', async (t) => {
  const dir = path.join(t.testdir(), 'study');
  const fake = fakeSlurm(t, { sbatch: ['echo 1'] });
  const r = await run(...study, '--out', dir, '--dry-run', '--max-parallel', '3', '--cpus-per-task', '2', '--time', '0:30:00', '--partition', 'short', '--mem', '2G', '--sbatch', '--account=abc', '--sbatch=--qos=low');
  t.equal(r.code, 0, r.err);
  const script = path.resolve(dir, 'slurm', 'array.sbatch');
  t.match(r.out, `submit it with: sbatch ${script}`);
  const directives = readFileSync(script, 'utf8').split('\n').filter((l) => l.startsWith('#SBATCH'));
  t.same(directives.filter((l) => !l.startsWith('#SBATCH --output')), [
    '#SBATCH --job-name=imitate-learner',
    '#SBATCH --array=0-3%3',
    '#SBATCH --cpus-per-task=2',
    '#SBATCH --time=0:30:00',
    '#SBATCH --partition=short',
    '#SBATCH --mem=2G',
    '#SBATCH --account=abc',
    '#SBATCH --qos=low',
  ]);
  t.equal(fake.calls('sbatch').length, 0, 'a dry run submits nothing');
});

t.test('misplaced and bad flags are refused', async (t) => {
  const dir = path.join(t.testdir(), 'study');
  let r = await run('ablate', '--study', 'learner', '--profile', 'smoke', '--out', dir, '--time', '10', '--mem', '1G');
  t.equal(r.code, 1);
  t.equal(r.err, 'imitate: --time, --mem: only with --executor slurm');
  t.notOk(existsSync(dir), 'nothing was planned');
  r = await run(...study, '--out', dir, '--workers', '2');
  t.equal(r.err, 'imitate: --workers is for the local executor; with --executor slurm, --max-parallel limits the tasks running at once');
  r = await run(...study, '--out', dir, '--max-parallel', '0', '--dry-run');
  t.equal(r.err, 'imitate: option --max-parallel: must be positive (got "0")');
  r = await run(...study, '--out', dir, '--poll', 'often', '--dry-run');
  t.match(r.err, /^imitate: option --poll: .* \(got "often"\)$/);
  r = await run(...study, '--out', dir, '--time', 'soon', '--dry-run');
  t.match(r.err, /^imitate: Slurm option time: expected minutes, .* got "soon"$/);
  r = await run(...study, '--out', dir, '--sbatch', '--array=0-9');
  t.match(r.err, /--array and --output are set by imitate/);
});

t.test('the exit code says whether every run finished; sbatch errors are one line', async (t) => {
  const dir = path.join(t.testdir(), 'study');
  fakeSlurm(t, { sbatch: [`echo 'sbatch: error: invalid partition specified: gpu' >&2; exit 1`] });
  let r = await run(...study, '--out', dir, '--partition', 'gpu');
  t.equal(r.code, 1);
  t.match(r.err, /^imitate: sbatch rejected .*array\.sbatch \(exit 1\): sbatch: error: invalid partition specified: gpu$/);

  // The fake cluster finishes runs 0, 1 and 3; run 2 fails.
  const plan = readPlan(dir);
  const finish = (i: number) => {
    const d = runDir(dir, plan.runs[i]);
    return `mkdir -p '${d}' && echo '{}' > '${d}/summary.json'`;
  };
  fakeSlurm(t, {
    sbatch: ['echo 31'],
    squeue: ['true', `${finish(0)}; ${finish(1)}; ${finish(3)}; printf '%s\\n' '31_0|COMPLETED|imitate-learner' '31_1|COMPLETED|imitate-learner' '31_2|FAILED|imitate-learner' '31_3|COMPLETED|imitate-learner'`],
    sacct: [`printf '%s\\n' '31_0|COMPLETED|0:0' '31_1|COMPLETED|0:0' '31_2|FAILED|1:0' '31_3|COMPLETED|0:0'`],
  });
  r = await run(...study, '--out', dir, '--poll', '0.01');
  t.equal(r.code, 1, r.err);
  t.match(r.out, /^3 of 4 runs finished \(0 already were\); 1 failed$/m);
  t.match(r.out, `FAILED ${plan.runs[2].id} (task 2): FAILED, exit 1`);

  // Resubmitted: only run 2, which now finishes.
  const fake = fakeSlurm(t, { sbatch: ['echo 32'], squeue: ['true', `${finish(2)}; echo '32_2|COMPLETED|imitate-learner'`], sacct: ['echo "32_2|COMPLETED|0:0"'] });
  r = await run(...study, '--out', dir, '--poll', '0.01');
  t.equal(r.code, 0, r.err);
  t.match(readFileSync(path.join(dir, 'slurm', 'array.sbatch'), 'utf8'), /^#SBATCH --array=2$/m);
  t.equal(fake.calls('sbatch').length, 1);
  t.match(r.out, /^4 of 4 runs finished \(3 already were\)$/m);
});
