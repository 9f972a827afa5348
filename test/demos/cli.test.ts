// `imitate collect`, `imitate demos inspect` and `imitate bc` through the CLI's main().
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../agents/index.js';
import '../../envs/index.js';
import { loadDemos } from '../../src/demos/index.js';
import { initBackend } from '../../src/backend.js';
import { Mlp } from '../../src/nn/mlp.js';
import { writePolicy } from '../../src/nn/policy.js';
import { Rng } from '../../src/rng.js';
import { Box } from '../../src/spaces.js';
import { runCli as run } from '../helpers/run-cli.js';

await initBackend();

/** A random SAC-shaped Pendulum policy directory, as `imitate train` writes it. */
async function pendulumPolicy(dir: string): Promise<string> {
  const actor = new Mlp({ inputDim: 3, hidden: [8], outputDim: 2, activation: 'relu' }, new Rng(5), 'actor');
  await writePolicy(dir, { algo: 'sac', mlp: actor, head: 'gaussian-tanh' });
  actor.dispose();
  const env = { env: 'Pendulum-v1', envKwargs: {}, maxEpisodeSteps: null, observationSpace: new Box([-1, -1, -8], [1, 1, 8]).toJSON(), actionSpace: new Box(-2, 2, [1]).toJSON(), policyActionRange: [-1, 1] };
  writeFileSync(path.join(dir, 'env.json'), JSON.stringify(env));
  return dir;
}

t.test('collect records episodes with the env actions and the random return; inspect summarises them', async (t) => {
  const dir = t.testdir({ policy: {} });
  const policy = await pendulumPolicy(path.join(dir, 'policy'));
  const file = path.join(dir, 'demos.h5');
  let r = await run('collect', '--policy', policy, '--env', 'Pendulum-v1', '--episodes', '2', '--out', file, '--seed', '4', '--deterministic', '--random-episodes', '3');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^episode {3}1 {2}return +-\d+\.\d+ {2}length {3}200 {2}truncated$/m);
  t.match(r.out, /^expert return -\d+\.\d+ ± \d+\.\d+ {2}\(min .*, 2 episodes\)$/m);
  t.match(r.out, /^random return -\d+\.\d+ ± \d+\.\d+ .*3 episodes\)$/m);
  const { dataset } = await loadDemos(file);
  t.equal(dataset.episodes.length, 2);
  t.equal(dataset.metadata.envId, 'Pendulum-v1');
  t.equal(dataset.metadata.seed, 4);
  t.equal(dataset.metadata.randomReturn?.episodes, 3);
  t.match(dataset.metadata.source, /^imitate collect --policy .* --env Pendulum-v1 --episodes 2 --seed 4 --deterministic \(sac policy, deterministic\)$/);
  const acts = dataset.episodes[0].actions;
  t.ok(acts.every((a) => a >= -2 && a <= 2) && acts.some((a) => Math.abs(a) > 1), 'actions in the env scale, ±2');
  const ep = dataset.episodes[0];
  t.same(ep.nextObservations.subarray(0, 3 * 199), ep.observations.subarray(3), "s' of step t is s of step t + 1");

  const again = path.join(dir, 'again.h5');
  r = await run('collect', '--policy', policy, '--env', 'Pendulum-v1', '--episodes', '2', '--out', again, '--seed', '4', '--deterministic', '--random-episodes', '3');
  t.same((await loadDemos(again)).dataset.episodes, dataset.episodes, 'one seed, the same episodes');
  const sampled = path.join(dir, 'sampled.h5');
  r = await run('collect', '--policy', policy, '--episodes', '1', '--out', sampled, '--random-episodes', '0', '--json');
  t.equal(r.code, 0, r.err);
  t.match(JSON.parse(r.out), { env: 'Pendulum-v1', episodes: 1, randomReturn: null });
  t.notSame((await loadDemos(sampled)).dataset.episodes[0].actions.subarray(0, 10), dataset.episodes[0].actions.subarray(0, 10), 'without --deterministic the policy is sampled');

  r = await run('demos', 'inspect', file, '--env', 'Pendulum-v1');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^ {2}layout {10}imitate$/m);
  t.match(r.out, /^ {2}episodes {8}2 \(0 terminated, 2 truncated\)$/m);
  t.match(r.out, /^ {2}steps {11}400; length 200\.0 ± 0\.0/m);
  t.match(r.out, /^ {2}actions {9}1 values, space Box\(-2, 2, \[1\], float32\)$/m);
  t.match(r.out, /^ {2}checked against Pendulum-v1: dimensions and action bounds fit$/m);
  t.match(r.out, /^ {2}episode {3}1 {2}length {3}200 {2}return/m);
});

t.test('bc fits the demonstrations and writes a run that imitate eval loads', async (t) => {
  const dir = t.testdir({ policy: {} });
  const policy = await pendulumPolicy(path.join(dir, 'policy'));
  const file = path.join(dir, 'demos.h5');
  await run('collect', '--policy', policy, '--episodes', '3', '--out', file, '--deterministic', '--random-episodes', '2');
  const out = path.join(dir, 'bc');
  let r = await run('bc', '--demos', file, '--env', 'Pendulum-v1', '--out', out, '--num-demos', '2', '--subsample', '20', '--steps', '30', '--eval-episodes', '2', '--set', 'actorNet=[16]', '--set', 'batchSize=8');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^bc on Pendulum-v1: 2 demos, 20 transitions \(20 steps, subsampled 1\/20\)$/m);
  t.match(r.out, /^return -\d+\.\d+ ± \d+\.\d+ over 2 episodes \(expert -\d+\.\d+\); normalized score -?\d+\.\d+$/m);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  t.match(summary, { env: 'Pendulum-v1', numDemos: 2, transitions: 20 });
  t.equal(summary.normalizedScore, (summary.returnMean - summary.randomReturn) / (summary.expertReturn - summary.randomReturn));
  const all = (await loadDemos(file)).dataset.metadata;
  t.equal(summary.expertReturn, all.expertReturn.mean, 'R_expert is the whole file\'s, not the 2 selected episodes\'');
  t.equal(summary.randomReturn, all.randomReturn!.mean);
  t.match(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')), { method: 'bc', numDemos: 2, subsample: 20, bc: { steps: 30, actorNet: [16], loss: 'mse' } });
  r = await run('eval', '--policy', path.join(out, 'policy'), '--episodes', '1');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /\(bc\)$/m);
  r = await run('bc', '--demos', file, '--env', 'Pendulum-v1', '--out', out);
  t.match(r.err, /^imitate: --out .*: run directory .* already holds a run/);
  r = await run('bc', '--demos', file, '--env', 'Pendulum-v1', '--out', path.join(dir, 'x'), '--num-demos', '9');
  t.match(r.err, /^imitate: --num-demos 9: .* holds only 3 episodes$/);
  r = await run('bc', '--demos', file, '--env', 'Pendulum-v1', '--out', path.join(dir, 'y'), '--set', 'los=nll');
  t.match(r.err, /^imitate: bc config: invalid\n {2}\(top level\): unknown key 'los'/);
});

t.test('bad demonstration files are one line, no stack trace', async (t) => {
  const dir = t.testdir({ 'notes.h5': 'not hdf5' });
  let r = await run('demos', 'inspect', path.join(dir, 'notes.h5'));
  t.equal(r.code, 1);
  t.match(r.err, /^imitate: demonstrations .*notes\.h5: not an HDF5 file/);
  t.notMatch(r.err, /\n\s+at /);
  const fixtures = new URL('../fixtures/demos/', import.meta.url).pathname;
  r = await run('demos', 'inspect', `${fixtures}authors`, '--env', 'MountainCarContinuous-v0');
  t.match(r.err, /^imitate: demonstrations .*authors: wrong observation dimension: the episodes have 3 values per observation, MountainCarContinuous-v0's observation space .* has 2$/);
  r = await run('bc', '--demos', path.join(dir, 'missing.h5'), '--env', 'Pendulum-v1', '--out', path.join(dir, 'run'));
  t.match(r.err, /^imitate: demonstrations .*missing\.h5: file not found$/);
  r = await run('collect', '--policy', dir, '--episodes', '1', '--out', path.join(dir, 'x.h5'));
  t.match(r.err, /^imitate: --policy .*: policy env info .*env\.json: file not found$/);
  r = await run('collect', '--policy', dir, '--episodes', '1', '--out', path.join(dir, 'x.csv'));
  t.match(r.err, /^imitate: --out .*x\.csv: a demonstration file ends in \.h5 or \.hdf5$/);
});
