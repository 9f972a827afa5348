// GAIL end to end through the training loop: expert data through the registered loader, refusal of
// mismatched demonstrations before anything is written, and exact resume with the discriminator,
// its optimizer, the forward model and the row kinds in the checkpoint.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../../agents/index.js';
import { registerExpertLoader } from '../../../agents/gail/expert.js';
import '../../../envs/index.js';
import { gailFlagSets, gailOptimizerSets } from '../../../src/commands/gail.js';
import type { LoopConfigInput } from '../../../src/train/config.js';
import { train } from '../../../src/train/loop.js';
import { syntheticExpert } from '../../helpers/gail-fixtures.js';

// 'synthetic-OxA' files: O-dim observations, A-dim actions.
registerExpertLoader(async (file, _context, numDemos, seed) => {
  const m = /^synthetic-(\d+)x(\d+)$/.exec(file);
  if (m === null) throw new Error(`no such test file ${file}`);
  return syntheticExpert(Number(m[1]), Number(m[2]), 10 * numDemos, seed);
});

const config = (file: string): LoopConfigInput => ({
  algo: 'sac',
  env: 'Pendulum-v1',
  steps: 100,
  seed: 3,
  bufferSize: 1000,
  batchSize: 16,
  learningStarts: 30,
  evalEvery: 50,
  evalEpisodes: 1,
  checkpointEvery: 50,
  logEvery: 25,
  maxEpisodeSteps: 25,
  nStep: 2,
  learner: { actorNet: [8], criticNet: [8] },
  extension: {
    name: 'gail',
    config: {
      expert: { source: 'file', path: file, numDemos: 2 },
      discriminator: { hidden: [8, 8], batchSize: 8 },
      forwardModel: { hidden: [8] },
      precondition: { type: 'purple' },
      monitor: { samples: 8, policySamples: 2 },
    },
  },
});

function checkpointFiles(runDir: string, sub: string): Record<string, Buffer> {
  const pointer = JSON.parse(readFileSync(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  const dir = path.join(runDir, 'checkpoints', pointer.dir, sub);
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
}

t.test('demonstrations whose spaces do not match the env are refused before training, with both shapes', async (t) => {
  const dir = path.join(t.testdir(), 'bad');
  await t.rejects(train(config('synthetic-4x1'), { quiet: true, dir }), /demonstrations have observations of shape \[4\] and actions of shape \[1\], the env has observations of shape \[3\] and actions of shape \[1\]/);
  t.notOk(existsSync(path.join(dir, 'config.json')), 'nothing was written');
});

/** The CSV's cells without the wall-clock columns. */
function withoutTiming(csv: string): string[][] {
  const rows = csv.trim().split('\n').map((l) => l.split(','));
  const drop = new Set(['steps_per_s', 'time_s'].map((c) => rows[0].indexOf(c)));
  return rows.map((r) => r.filter((_, i) => !drop.has(i)));
}

t.test('GAIL stopped at 70 and resumed to 100 equals an uninterrupted run', async (t) => {
  const root = t.testdir();
  const full = await train(config('synthetic-3x1'), { quiet: true, dir: path.join(root, 'full') });
  const dir = path.join(root, 'run');
  await train(config('synthetic-3x1'), { quiet: true, dir, callbacks: { onStep: (s) => s.step < 70 } });
  const resumed = await train(undefined, { quiet: true, resume: dir });
  t.equal(resumed.summary.resumedFromStep, 50);
  for (const sub of ['learner', 'extension']) {
    const a = checkpointFiles(full.dir, sub);
    const b = checkpointFiles(dir, sub);
    t.same(Object.keys(b).sort(), Object.keys(a).sort());
    for (const f of Object.keys(a)) t.ok(a[f].equals(b[f]), `${sub}/${f} identical`);
  }
  const evalCsv = readFileSync(path.join(dir, 'eval.csv'), 'utf8');
  t.equal(evalCsv, readFileSync(path.join(full.dir, 'eval.csv'), 'utf8'), 'eval.csv identical');
  t.match(evalCsv.split('\n')[0], /normalized_score/, 'eval.csv has the normalized score');
  const metrics = readFileSync(path.join(dir, 'metrics.csv'), 'utf8');
  t.same(withoutTiming(metrics), withoutTiming(readFileSync(path.join(full.dir, 'metrics.csv'), 'utf8')), 'metrics.csv identical but for wall-clock columns');
  const header = metrics.split('\n')[0].split(',');
  for (const col of ['d_loss', 'd_penalty', 'grad_h_agent_mean', 'jac_forward_mean', 'jac_policy_mean', 'gamma2c_mean', 'gamma2c_valid_share', 'kappa_mean', 'fm_loss']) {
    t.ok(header.includes(col), `metrics.csv logs ${col}`);
  }
});

t.test('the GAIL flags map onto the extension config', async (t) => {
  t.same(gailFlagSets({ env: 'X', learner: 'sac', set: [], gp: 'dragan', gpK: '2', gpLambda: '5', gpOneSided: true, spectralNorm: false, reward: 'logit', precondition: 'purple' }), [
    'extension.config.discriminator.penalty.type=dragan',
    'extension.config.discriminator.penalty.k=2',
    'extension.config.discriminator.penalty.lambda=5',
    'extension.config.discriminator.penalty.oneSided=true',
    'extension.config.discriminator.spectralNorm=false',
    'extension.config.reward=logit',
    'extension.config.precondition.type=purple',
  ]);
  t.throws(() => gailFlagSets({ env: 'X', learner: 'sac', set: [], gp: 'wgna' }), /--gp must be one of wgan, dragan, nagard, none, got 'wgna'/);
});

t.test('optimizer flags reach the learner, the discriminator and the forward model', async (t) => {
  const base = { env: 'X', learner: 'sac', set: [] };
  t.same(gailOptimizerSets({ ...base, optim: 'soap', discOptim: 'adam' }, 'sac'), [
    'learner.optim.actor.name=soap',
    'learner.optim.critic.name=soap',
    'learner.optim.alpha.name=soap',
    'extension.config.discriminator.optimizer={"name":"adam"}',
    'extension.config.forwardModel.optimizer={"name":"soap"}',
  ]);
  t.same(gailOptimizerSets({ ...base, criticOptim: 'fismo', forwardOptim: 'muon' }, 'td3'), ['learner.optim.critic.name=fismo', 'extension.config.forwardModel.optimizer={"name":"muon"}']);
  t.throws(() => gailOptimizerSets({ ...base, alphaOptim: 'soap' }, 'td3'), /--alpha-optim: td3 has no 'alpha' network/);
  t.throws(() => gailOptimizerSets({ ...base, discOptim: 'x y' }, 'sac'), /--disc-optim "x y": expected an optimizer name/);
});
