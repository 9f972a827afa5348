import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { learningCurveSpec, readEvalCsv, writeLearningCurve } from '../../src/report/learning-curve.js';

t.test('a GAIL run plots its normalized score with the expert level, a plain run its return band', async (t) => {
  const gail = t.testdir({ 'eval.csv': 'step,return_mean,return_std,return_min,return_max,length_mean,normalized_score\n1000,-900,50,-1000,-800,200,0.3\n2000,-200,20,-240,-160,200,0.95\n' });
  const spec = learningCurveSpec(gail, 'g')!;
  t.same(spec.series[0].y, [0.3, 0.95]);
  t.same(spec.hLines, [{ y: 1, label: 'expert' }]);
  const png = await writeLearningCurve(gail, 'GAIL');
  t.equal(png, path.join(gail, 'learning-curve.png'));
  t.same([...readFileSync(png!).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  t.ok(existsSync(path.join(gail, 'learning-curve.svg')));

  const plain = t.testdir({ 'eval.csv': 'step,return_mean,return_std\n1000,-900,50\n2000,-200,20\n' });
  const band = learningCurveSpec(plain, 'p')!;
  t.same(band.series[0].lo, [-950, -220]);
  t.same(band.series[0].hi, [-850, -180]);
  t.equal(band.hLines, undefined);
});

t.test('no evaluation yet: no plot; a malformed eval.csv is named', async (t) => {
  const empty = t.testdir({ 'eval.csv': 'step,return_mean,return_std\n' });
  t.equal(await writeLearningCurve(empty, 'x'), null);
  const bad = t.testdir();
  writeFileSync(path.join(bad, 'eval.csv'), 'step,return_mean\n1000\n');
  t.throws(() => readEvalCsv(path.join(bad, 'eval.csv')), /eval\.csv: line 2 has 1 fields, the header 2/);
});
