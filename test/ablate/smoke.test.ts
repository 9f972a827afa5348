// The smoke profile of every study, as CI runs it: each plans, runs with the local executor and
// ends with a report (report.md with every arm, curves.png and curves.svg).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readPlan } from '../../src/ablate/plan.js';
import { runState } from '../../src/ablate/execute.js';
import { STUDIES } from '../../src/ablate/studies.js';

const root = new URL('../..', import.meta.url).pathname;
// Sixty short runs in all: about two minutes on two idle cores, more on a loaded machine.
t.setTimeout(900_000);

for (const study of Object.values(STUDIES)) {
  t.test(`smoke profile of ${study.name}`, async (t) => {
    if (!existsSync(`${root}dist/src/cli.js`)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
    const dir = path.join(t.testdir(), study.name);
    const r = spawnSync(process.execPath, ['bin/imitate.js', 'ablate', '--study', study.name, '--profile', 'smoke', '--workers', '2', '--out', dir], { cwd: root, encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr + r.stdout);
    const plan = readPlan(dir);
    t.equal(plan.runs.length, study.arms.length * 2, 'every arm × 2 seeds');
    t.same(plan.runs.map((run) => runState(path.join(dir, 'runs', run.id))), plan.runs.map(() => 'done'), 'every run finished');
    const report = readFileSync(path.join(dir, 'report.md'), 'utf8');
    for (const arm of study.arms) t.ok(report.includes(arm.label), `report names arm '${arm.label}'`);
    t.match(report, new RegExp(`${plan.runs.length} of ${plan.runs.length} runs`));
    const png = readFileSync(path.join(dir, 'curves.png'));
    t.same([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'curves.png is a PNG');
    t.match(readFileSync(path.join(dir, 'curves.svg'), 'utf8'), /^<svg [\s\S]*<\/svg>\s*$/);
  });
}
