import path from 'node:path';
import { readFileSync } from 'node:fs';
import t from 'tap';
import '../../agents/index.js';
import '../../envs/index.js';
import { expandOptimSets, optimizerFlagsGiven, optimizerSets } from '../../src/commands/optimizer-flags.js';
import { runCli as run } from '../helpers/run-cli.js';

t.test('flags become learner.optim sets; per-network flags win over --optim', async (t) => {
  t.same(optimizerSets({ optim: 'soap', criticOptim: 'fismo' }, 'sac', ['actor', 'critic', 'alpha']), [
    'learner.optim.actor.name=soap',
    'learner.optim.critic.name=soap',
    'learner.optim.alpha.name=soap',
    'learner.optim.critic.name=fismo',
  ]);
  t.same(optimizerSets({ discOptim: 'muon' }, 'gail', ['actor', 'critic', 'disc']), ['learner.optim.disc.name=muon']);
  t.throws(() => optimizerSets({ alphaOptim: 'soap' }, 'td3', ['actor', 'critic']), /--alpha-optim: td3 has no 'alpha' network \(its networks: actor, critic\)/);
  t.throws(() => optimizerSets({ optim: 'so ap' }, 'sac', ['actor']), /--optim "so ap": expected an optimizer name/);
  t.same(optimizerFlagsGiven({ optim: 'soap', forwardOptim: 'adam' }), ['--optim', '--forward-optim']);
  t.same(expandOptimSets(['optim.critic.preconditionFrequency=10', 'learner.lr=1e-3', 'batchSize=8']), [
    'learner.optim.critic.preconditionFrequency=10',
    'learner.lr=1e-3',
    'batchSize=8',
  ]);
});

t.test('imitate train --optim/--critic-optim with options through --set', async (t) => {
  const dir = path.join(t.testdir(), 'run');
  const small = ['--set', 'maxEpisodeSteps=30', '--set', 'evalEvery=0', '--set', 'learningStarts=20', '--set', 'batchSize=8', '--set', 'learner.actorNet=[4]', '--set', 'learner.criticNet=[4]'];
  const r = await run('train', '--algo', 'sac', '--env', 'Pendulum-v1', '--steps', '40', '--out', dir, '--quiet', '--optim', 'soap', '--critic-optim', 'fismo', '--set', 'optim.critic.rootInterval=4', '--set', 'optim.actor.preconditionFrequency=3', ...small);
  t.equal(r.code, 0, r.err);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  t.match(config.learner.optim, { actor: { name: 'soap', preconditionFrequency: 3 }, critic: { name: 'fismo', rootInterval: 4 }, alpha: { name: 'soap' } });
  const bad = await run('train', '--algo', 'td3', '--env', 'Pendulum-v1', '--steps', '40', '--out', path.join(t.testdir(), 'bad'), '--alpha-optim', 'soap');
  t.equal(bad.code, 1);
  t.match(bad.err, /--alpha-optim: td3 has no 'alpha' network \(its networks: actor, critic\)/);
  const wrongOption = await run('train', '--algo', 'sac', '--env', 'Pendulum-v1', '--steps', '40', '--out', path.join(t.testdir(), 'bad2'), '--optim', 'muon', '--set', 'optim.actor.preconditionFrequency=3');
  t.equal(wrongOption.code, 1);
  t.match(wrongOption.err, /optim\.actor: optimizer 'muon': unknown option 'preconditionFrequency'/);
  const resume = await run('train', '--resume', dir, '--optim', 'adam');
  t.equal(resume.code, 1);
  t.match(resume.err, /not --optim/);
});
