// Studies × profiles expand into runs with exact command lines; a study directory's plan extends
// but never silently changes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { planStudy, readPlan, savePlan } from '../../src/ablate/plan.js';
import { PROFILES, profileNamed } from '../../src/ablate/profiles.js';
import { STUDIES, studyNamed } from '../../src/ablate/studies.js';
import { parseSeeds } from '../../src/commands/ablate.js';

const demosDir = new URL('../../experts', import.meta.url).pathname;

t.test('the studies and their arms', async (t) => {
  t.same(Object.keys(STUDIES), ['gp-zeta', 'nogp', 'gp-lambda', 'purple', 'optimizer', 'learner']);
  t.same(STUDIES['gp-zeta'].arms.map((a) => a.name), ['wgan-two-sided', 'wgan-one-sided', 'dragan-two-sided', 'dragan-one-sided', 'nagard-two-sided', 'nagard-one-sided', 'none']);
  t.same(STUDIES.nogp.arms.map((a) => a.args.join(' ')), [
    '--gp none --no-spectral-norm',
    '--gp none --spectral-norm',
    '--gp none --no-spectral-norm --set=extension.config.discriminator.labelSmoothing=[0.7,1.2]',
    '--gp none --spectral-norm --set=extension.config.discriminator.labelSmoothing=[0.7,1.2]',
  ]);
  t.same(STUDIES['gp-lambda'].arms.map((a) => a.args[a.args.indexOf('--gp-lambda') + 1]), ['0.001', '0.01', '0.1', '1', '10', '100']);
  t.ok(STUDIES['gp-lambda'].arms.every((a) => a.args.includes('--gp-one-sided')), 'the λ sweep is one-sided (run_003)');
  t.same(STUDIES.purple.arms.map((a) => a.name), ['base', 'purple-kf5', 'purple-kf6', 'purple-kf7', 'purple-kf8', 'purple-kf9', 'purple-kf10', 'reward-grad']);
  for (const s of Object.values(STUDIES)) {
    t.equal(new Set(s.arms.map((a) => a.name)).size, s.arms.length, `${s.name}: arm names are unique`);
    t.ok(s.arms.every((a) => /^[\w.-]+$/.test(a.name)), `${s.name}: arm names are path-safe`);
  }
  t.throws(() => studyNamed('gp-eta'), /unknown study 'gp-eta'; the studies are gp-zeta, nogp/);
  t.throws(() => profileNamed('fast'), /unknown profile 'fast'; the profiles are smoke, quick, paper/);
});

t.test('a plan is arms × envs × demos × seeds, each with its command line', async (t) => {
  const plan = planStudy(studyNamed('gp-zeta'), profileNamed('quick'), { demosDir });
  t.equal(plan.runs.length, 7 * 2 * 1 * 5);
  t.equal(new Set(plan.runs.map((r) => r.id)).size, plan.runs.length, 'ids are unique');
  const run = plan.runs.find((r) => r.id === 'dragan-one-sided/InvertedPendulum-v5/demos4/seed3')!;
  t.same(run.args, [
    'gail', '--env', 'InvertedPendulum-v5', '--demos', path.join(demosDir, 'InvertedPendulum-v5', 'demos.h5'), '--num-demos', '4', '--learner', 'sac',
    '--steps', `${PROFILES.quick.envs[1].steps}`, '--seed', '3', ...PROFILES.quick.envs[1].sets.map((s) => `--set=${s}`), '--gp', 'dragan', '--gp-one-sided', '--quiet',
  ]);
  const td3 = planStudy(studyNamed('learner'), profileNamed('smoke'), { demosDir, seeds: [7], sets: ['gamma=0.9'] });
  t.same(td3.runs.map((r) => r.id), ['sac/Pendulum-v1/demos1/seed7', 'td3/Pendulum-v1/demos1/seed7']);
  t.equal(td3.runs[1].args.filter((a) => a === '--learner').length, 1, 'the arm chooses the learner, not the profile');
  t.equal(td3.runs[1].args.at(-2), '--set=gamma=0.9', "the user's --set comes last");
  t.throws(() => planStudy(studyNamed('nogp'), profileNamed('quick'), { demosDir, envs: ['Hopper-v5'] }), /env Hopper-v5 is not in profile 'quick'/);
  t.throws(() => planStudy(studyNamed('nogp'), profileNamed('paper'), { demosDir }), /no demonstrations for Hopper-v5 at .*Hopper-v5\/demos\.h5; make them with `imitate collect` and pass --demos-dir/);
});

t.test('a study directory extends its plan, and refuses a changed one', async (t) => {
  const dir = path.join(t.testdir(), 'study');
  const small = planStudy(studyNamed('learner'), profileNamed('smoke'), { demosDir, seeds: [0] });
  t.equal(savePlan(dir, small).runs.length, 2);
  const bigger = savePlan(dir, planStudy(studyNamed('learner'), profileNamed('smoke'), { demosDir, seeds: [0, 1] }));
  t.same(bigger.runs.map((r) => r.id), ['sac/Pendulum-v1/demos1/seed0', 'td3/Pendulum-v1/demos1/seed0', 'sac/Pendulum-v1/demos1/seed1', 'td3/Pendulum-v1/demos1/seed1'], 'new runs are appended; earlier indices keep their run');
  t.same(readPlan(dir), bigger);
  const before = readFileSync(path.join(dir, 'plan.json'), 'utf8');
  t.same(savePlan(dir, small).runs.length, 4, 'a subset leaves the plan as it is');
  t.equal(readFileSync(path.join(dir, 'plan.json'), 'utf8'), before);
  t.throws(() => savePlan(dir, planStudy(studyNamed('learner'), profileNamed('smoke'), { demosDir, seeds: [0], sets: ['gamma=0.9'] })), /has run sac\/Pendulum-v1\/demos1\/seed0 with other arguments/);
  t.throws(() => savePlan(dir, planStudy(studyNamed('optimizer'), profileNamed('smoke'), { demosDir })), /holds study learner, profile smoke, not optimizer, smoke/);
  t.equal(readFileSync(path.join(dir, 'plan.json'), 'utf8'), before, 'a refused plan writes nothing');
  t.throws(() => readPlan(t.testdir()), /is not a study directory: .*plan\.json not found/);
});

t.test('--seeds', async (t) => {
  t.same(parseSeeds('3'), [0, 1, 2]);
  t.same(parseSeeds('10-12'), [10, 11, 12]);
  t.same(parseSeeds('4, 0,9'), [4, 0, 9]);
  t.throws(() => parseSeeds('5-2'), /ends before it starts/);
  t.throws(() => parseSeeds('1,1'), /listed twice/);
  t.throws(() => parseSeeds('a,b'), /--seeds/);
});
