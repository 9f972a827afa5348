import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { iqmInterval, probabilityOfImprovementInterval } from '../../src/report/stats.js';
import { writeStudyReport } from '../../src/report/study-report.js';
import { reportStream } from '../../src/report/study-stats.js';
import { standardStudy, writeFakeStudy } from '../helpers/study-fixture.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, after checking the signature and that IHDR comes first. */
function pngSize(png: Buffer): [number, number] {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG signature');
  if (png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('IHDR is not the first chunk');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** Checks that every tag is closed in order (enough XML for our SVG: no comments, CDATA or PIs). */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  const stripped = svg.replace(/<[^>]*>/g, '');
  return stack.length === 0 && !/[<>]/.test(stripped) && !/&(?!amp;|lt;|gt;|quot;)/.test(stripped);
}

const f3 = (v: number) => v.toFixed(3);

t.test('report.md of a fabricated study: the numbers, the missing runs, the plots', async (t) => {
  const dir = t.testdir();
  standardStudy(dir);
  const result = await writeStudyReport(dir, { reps: 500 });
  t.same(result, { reportFile: path.join(dir, 'report.md'), plots: ['curves.png', 'curves.svg', 'iqm.png', 'iqm.svg'].map((f) => path.join(dir, f)), finished: 10, total: 12 });
  const md = readFileSync(result.reportFile, 'utf8');
  t.match(md, /^# Study report: fake \(profile test\)\n\na fabricated study for the tests\n/);
  t.match(md, /\*\*10 of 12 runs finished\.\*\*/);

  // Arm A: finals 0.9, 0.7 (EnvA) and 0.5, 0.6, 0.4 (EnvB). Mean 3.1/5; std sqrt(0.148/4);
  // IQM drops 0.4 and 0.9: mean(0.5, 0.6, 0.7) = 0.6; per env 0.8 and 0.5.
  const a = iqmInterval([[0.9, 0.7], [0.5, 0.6, 0.4]], { rng: reportStream(0, 'iqm/a'), reps: 500 });
  t.ok(Math.abs(a.point - 0.6) < 1e-12);
  t.match(md, `| Arm A | 5 of 6 | 0.620 ± ${f3(Math.sqrt(0.148 / 4))} | 0.600 [${f3(a.lo)}, ${f3(a.hi)}] | 0.800 | 0.500 |`);
  // Arm B: 0.2, 0.3, 0.9 and 0.1, 0.2: mean 1.7/5, std sqrt(0.412/4), IQM mean(0.2, 0.2, 0.3);
  // its label's pipe is escaped so that the table keeps its columns.
  const b = iqmInterval([[0.2, 0.3, 0.9], [0.1, 0.2]], { rng: reportStream(0, 'iqm/b'), reps: 500 });
  t.match(md, `| Arm B \\| pipes | 5 of 6 | 0.340 ± ${f3(Math.sqrt(0.412 / 4))} | 0.233 [${f3(b.lo)}, ${f3(b.hi)}] | 0.467 | 0.150 |`);
  t.ok(a.lo < a.hi && b.lo < b.hi, 'intervals with some width');

  // P(A > B): EnvA 4.5 of 6 pairs (0.9 ties 0.9), EnvB 6 of 6: (0.75 + 1) / 2.
  const p = probabilityOfImprovementInterval([[0.9, 0.7], [0.5, 0.6, 0.4]], [[0.2, 0.3, 0.9], [0.1, 0.2]], { rng: reportStream(0, 'poi/a/b'), reps: 500 });
  t.equal(p.point, 0.875);
  t.match(md, `| Arm A | Arm B \\| pipes | 0.875 [${f3(p.lo)}, ${f3(p.hi)}] |`);

  t.match(md, '| `a/EnvA-v0/demos1/seed1` | unfinished, resumable from its checkpoint (last evaluation at step 100 of 300) |');
  t.match(md, '| `b/EnvB-v0/demos1/seed2` | not started |');
  t.match(md, '![Learning curves of fake: mean normalized score per arm with its 95 % CI, one panel per task](curves.png)');
  t.match(md, '```\nimitate report . --reps 500 --seed 0\n```');
  t.notMatch(md, /\d{4}-\d\d-\d\dT|seconds|elapsed/, 'no timestamps or durations');
  t.notMatch(md, dir, 'no absolute paths');

  const [width, height] = pngSize(readFileSync(path.join(dir, 'curves.png')));
  t.equal(width, 2 * 480, 'two panels side by side');
  t.ok(height > 340 && height < 2 * 340, `one row of panels under the title and legend (${height} px)`);
  const svg = readFileSync(path.join(dir, 'curves.svg'), 'utf8');
  t.ok(wellFormed(svg), 'SVG well-formed');
  t.equal(svg.match(/<g class="panel"/g)?.length, 2, 'one panel per env');
  t.match(svg, />EnvA-v0<\/text>/);
  t.match(svg, />EnvB-v0<\/text>/);
  t.equal(svg.match(/<polyline /g)?.length, 4, 'a curve per arm in each panel');
  t.equal(svg.match(/<polygon /g)?.length, 4, 'a band per curve');
  t.match(md, '![IQM of the final normalized score per arm with its 95 % CI](iqm.png)');
  const iqmSvg = readFileSync(path.join(dir, 'iqm.svg'), 'utf8');
  t.ok(wellFormed(iqmSvg), 'IQM SVG well-formed');
  t.equal(iqmSvg.match(/<g class="row">/g)?.length, 2, 'one row per arm');
  t.equal(pngSize(readFileSync(path.join(dir, 'iqm.png')))[0], 720);
});

t.test('a second report is byte-identical; another seed moves only the intervals', async (t) => {
  const dir = t.testdir();
  standardStudy(dir);
  const files = ['report.md', 'curves.png', 'curves.svg', 'iqm.png', 'iqm.svg'];
  await writeStudyReport(dir, { reps: 300 });
  const first = files.map((f) => readFileSync(path.join(dir, f)));
  await writeStudyReport(dir, { reps: 300 });
  files.forEach((f, i) => t.ok(readFileSync(path.join(dir, f)).equals(first[i]), `${f} identical`));

  await writeStudyReport(dir, { reps: 300, seed: 7 });
  const other = readFileSync(path.join(dir, 'report.md'), 'utf8');
  t.not(other, first[0].toString(), 'other resamples');
  t.match(other, /\| Arm A \| 5 of 6 \| 0\.620 ± 0\.192 \| 0\.600 \[/, 'same point estimates');
  t.match(other, 'imitate report . --reps 300 --seed 7');
});

t.test('no finished run: a report saying so, no curves; one arm: nothing to compare', async (t) => {
  const dir = t.testdir();
  writeFakeStudy(dir, { arms: [{ name: 'only', label: 'Only' }], envs: ['EnvA-v0'], seeds: [0, 1], steps: 200, evalEvery: 100, run: (_a, _e, seed) => (seed === 0 ? { state: 'unfinished', scores: [], checkpoint: false } : { state: 'absent' }) });
  writeFileSync(path.join(dir, 'curves.png'), 'stale');
  writeFileSync(path.join(dir, 'iqm.svg'), 'stale');
  const result = await writeStudyReport(dir, { reps: 10 });
  t.same([result.finished, result.total, result.plots], [0, 2, []]);
  t.notOk(existsSync(path.join(dir, 'curves.png')) || existsSync(path.join(dir, 'iqm.svg')), 'stale plots removed');
  t.notMatch(readFileSync(result.reportFile, 'utf8'), /!\[/, 'no plot embedded');
  const md = readFileSync(result.reportFile, 'utf8');
  t.match(md, '**0 of 2 runs finished.**');
  t.match(md, '| Only | 0 of 2 | – | – | – |');
  t.match(md, 'One arm only: nothing to compare.');
  t.match(md, 'No finished run yet: no curves.');
  t.match(md, '| `only/EnvA-v0/demos1/seed0` | unfinished, no checkpoint yet |');
});

t.test('arms that share no finished task are not compared; the tasks compared are shown', async (t) => {
  const dir = t.testdir();
  writeFakeStudy(dir, {
    arms: [{ name: 'x', label: 'X' }, { name: 'y', label: 'Y' }, { name: 'z', label: 'Z' }],
    envs: ['EnvA-v0', 'EnvB-v0'],
    seeds: [0],
    steps: 100,
    evalEvery: 100,
    run: (arm, env) => (arm === 'x' || (arm === 'y' && env === 'EnvA-v0') || (arm === 'z' && env === 'EnvB-v0') ? { state: 'finished', scores: [arm === 'x' ? 0.5 : 0.25] } : { state: 'absent' }),
  });
  const md = readFileSync((await writeStudyReport(dir, { reps: 20 })).reportFile, 'utf8');
  t.match(md, '| X | Y | 1.000 [1.000, 1.000] | 1 of 2 |');
  t.match(md, '| X | Z | 1.000 [1.000, 1.000] | 1 of 2 |');
  t.match(md, '| Y | Z | – (no task where both finished) | 0 of 2 |');
  t.match(md, '| Y | 1 of 2 | 0.250 ± – | 0.250 [0.250, 0.250] | 0.250 | – |', 'one run: no std');
});

t.test('malformed inputs are named', async (t) => {
  const dir = t.testdir();
  standardStudy(dir);
  const bad = path.join(dir, 'runs', 'b', 'EnvA-v0', 'demos1', 'seed1', 'eval.csv');
  writeFileSync(bad, 'step,normalized_score\n100,0.5,7\n');
  await t.rejects(writeStudyReport(dir), { message: `${bad}: line 2 has 3 fields, the header 2` });
  writeFileSync(bad, 'step,return_mean\n100,-50\n');
  await t.rejects(writeStudyReport(dir), { message: `${bad}: no 'normalized_score' column (a GAIL run's eval.csv has step,…,normalized_score)` });
  writeFileSync(bad, 'step,normalized_score\n200,0.5\n100,0.6\n');
  await t.rejects(writeStudyReport(dir), { message: `${bad}: line 3: step 100 does not follow step 200` });
  rmSync(bad);
  const md = readFileSync((await writeStudyReport(dir, { reps: 10 })).reportFile, 'utf8');
  t.match(md, '| `b/EnvA-v0/demos1/seed1` | finished, but eval.csv is missing |');
  t.match(md, '**9 of 12 runs finished.**');

  const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8'));
  plan.runs[0].arm = 'ghost';
  writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
  await t.rejects(writeStudyReport(dir), { message: `${path.join(dir, 'plan.json')}: run a/EnvA-v0/demos1/seed0 has arm 'ghost', which is not in 'arms' (a, b)` });
  await t.rejects(writeStudyReport(t.testdir()), /is not a study directory: .*plan\.json not found/);
  await t.rejects(writeStudyReport(dir, { reps: 0 }), /reps must be a positive integer/);
});

t.test('numbers have three decimals and no sign on a rounded zero; negative scores keep theirs', async (t) => {
  const dir = t.testdir();
  writeFakeStudy(dir, {
    arms: [{ name: 'n', label: 'N' }],
    envs: ['EnvA-v0', 'EnvB-v0'],
    seeds: [0],
    steps: 100,
    evalEvery: 100,
    run: (_a, env) => ({ state: 'finished', scores: [env === 'EnvA-v0' ? -0.0004 : -0.25] }),
  });
  const md = readFileSync((await writeStudyReport(dir, { reps: 10 })).reportFile, 'utf8');
  // Mean (-0.0004 - 0.25) / 2 = -0.1252; std 0.2496 / sqrt(2) = 0.1765; one run per env: every
  // resample is the study itself, so the interval is the point.
  t.match(md, '| N | 2 of 2 | -0.125 ± 0.176 | -0.125 [-0.125, -0.125] | 0.000 | -0.250 |');
  t.notMatch(md, '-0.000');
});

t.test('a run stopped by a signal is not finished, as the executor sees it', async (t) => {
  const dir = t.testdir();
  standardStudy(dir);
  const run = path.join(dir, 'runs', 'b', 'EnvA-v0', 'demos1', 'seed2');
  writeFileSync(path.join(run, 'summary.json'), JSON.stringify({ steps: 200, stoppedBy: 'signal' }));
  const result = await writeStudyReport(dir, { reps: 10 });
  t.same([result.finished, result.total], [9, 12]);
  t.match(readFileSync(result.reportFile, 'utf8'), '| `b/EnvA-v0/demos1/seed2` | unfinished, no checkpoint yet (last evaluation at step 300 of 300) |');
});
