// Killing a sweep mid-way and rerunning it loses no finished run and recomputes none; the
// interrupted run continues from its checkpoint and ends exactly as an uninterrupted run would.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readPlan } from '../../src/ablate/plan.js';
import { runState } from '../../src/ablate/execute.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = path.join(root, 'bin/imitate.js');
// 50-step episodes: a checkpoint (written at episode ends) at step 100 of the 200.
const study = ['ablate', '--study', 'learner', '--profile', 'smoke', '--seeds', '0,1', '--workers', '1', '--set', 'maxEpisodeSteps=50'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Seven short runs: half a minute on two idle cores, several times that on a loaded machine.
t.setTimeout(1_200_000);

t.test('a sweep killed mid-way resumes without losing or recomputing a finished run', async (t) => {
  if (!existsSync(`${root}dist/src/cli.js`)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const base = t.testdir();
  const dir = path.join(base, 'study');
  const child = spawn(process.execPath, [bin, ...study, '--out', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let firstOut = '';
  child.stdout.on('data', (d) => (firstOut += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  // Kill (SIGTERM) as soon as the second run has written its first checkpoint.
  const deadline = Date.now() + 600_000;
  let plan;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the second run never checkpointed; output so far:\n${firstOut}`);
    if (existsSync(path.join(dir, 'plan.json'))) {
      plan = readPlan(dir);
      if (runState(path.join(dir, 'runs', plan.runs[1].id)) === 'resumable') break;
    }
    await sleep(20);
  }
  child.kill('SIGTERM');
  t.equal(await exited, 130, 'the killed sweep exits 130');
  t.match(firstOut, /interrupted: rerun the same command to continue/);

  const runDir = (i: number) => path.join(dir, 'runs', plan.runs[i].id);
  const states = plan.runs.map((_, i) => runState(runDir(i)));
  t.equal(states[0], 'done', 'the first run had finished');
  t.equal(states[1], 'resumable', 'the second was interrupted after its checkpoint');
  t.same(states.slice(2), ['fresh', 'fresh'], 'the rest had not started');
  const files = ['summary.json', 'eval.csv', 'metrics.csv', 'config.json'];
  const before = files.map((f) => ({ text: readFileSync(path.join(runDir(0), f), 'utf8'), mtime: statSync(path.join(runDir(0), f)).mtimeMs }));

  const again = spawnSync(process.execPath, [bin, ...study, '--out', dir], { cwd: root, encoding: 'utf8' });
  t.equal(again.status, 0, again.stderr);
  t.match(again.stdout, /4 of 4 runs finished \(1 already were\)/);
  t.match(again.stdout, new RegExp(`${plan.runs[1].id}: resumed and finished`));
  t.notMatch(again.stdout, new RegExp(`${plan.runs[0].id}:`), 'the finished run is not run again');
  files.forEach((f, k) => {
    t.equal(readFileSync(path.join(runDir(0), f), 'utf8'), before[k].text, `finished run's ${f} unchanged`);
    t.equal(statSync(path.join(runDir(0), f)).mtimeMs, before[k].mtime, `finished run's ${f} not rewritten`);
  });
  t.same(plan.runs.map((_, i) => runState(runDir(i))), ['done', 'done', 'done', 'done']);

  // The interrupted run, resumed, equals the same run done in one go.
  const reference = path.join(base, 'reference');
  const once = spawnSync(process.execPath, [bin, ...plan.runs[1].args, '--out', reference], { cwd: root, encoding: 'utf8' });
  t.equal(once.status, 0, once.stderr);
  t.equal(readFileSync(path.join(runDir(1), 'eval.csv'), 'utf8'), readFileSync(path.join(reference, 'eval.csv'), 'utf8'), 'resumed eval.csv = uninterrupted');
  const fin = (d: string) => (JSON.parse(readFileSync(path.join(d, 'summary.json'), 'utf8')) as { finalEval: unknown }).finalEval;
  t.same(fin(runDir(1)), fin(reference), 'same final evaluation');
});
