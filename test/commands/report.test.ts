import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { standardStudy } from '../helpers/study-fixture.js';
import { runCli as run } from '../helpers/run-cli.js';

t.test('imitate report DIR writes the report and names its files', async (t) => {
  const dir = t.testdir();
  standardStudy(dir);
  const r = await run('report', dir, '--reps', '200', '--seed', '3');
  t.equal(r.code, 0, r.err);
  t.equal(r.out, [`10 of 12 runs finished`, `report: ${path.join(dir, 'report.md')}`, ...['curves.png', 'curves.svg', 'iqm.png', 'iqm.svg'].map((f) => `plot: ${path.join(dir, f)}`)].join('\n'));
  t.match(readFileSync(path.join(dir, 'report.md'), 'utf8'), 'imitate report . --reps 200 --seed 3');
  const again = await run('report', dir, '--reps', '200', '--seed', '3');
  t.equal(again.code, 0);
  const defaults = await run('report', dir);
  t.equal(defaults.code, 0);
  t.match(readFileSync(path.join(dir, 'report.md'), 'utf8'), 'imitate report . --reps 2000 --seed 0', 'defaults: 2000 resamples, seed 0');
  t.match((await run('--help')).out, /\breport\b/);
});

t.test('errors are one line naming what is wrong', async (t) => {
  const empty = t.testdir();
  let r = await run('report', empty);
  t.equal(r.code, 1);
  t.equal(r.err, `imitate: ${empty} is not a study directory: it has no plan.json (make one with imitate ablate)`);
  r = await run('report', path.join(empty, 'nope'));
  t.equal(r.err, `imitate: ${path.join(empty, 'nope')}: no such directory`);

  const dir = t.testdir();
  standardStudy(dir);
  const bad = path.join(dir, 'runs', 'a', 'EnvB-v0', 'demos1', 'seed2', 'eval.csv');
  writeFileSync(bad, 'step,normalized_score\n100\n');
  r = await run('report', dir);
  t.equal(r.code, 1);
  t.equal(r.err, `imitate: ${bad}: line 2 has 1 fields, the header 2`);
  t.notMatch(r.err, /\n/, 'one line, no stack');

  r = await run('report', dir, '--reps', '0');
  t.equal(r.err, 'imitate: option --reps: must be positive (got "0")');
  r = await run('report', dir, '--seed', '-1');
  t.match(r.err, /^imitate: option --seed: must be non-negative/);
});
