// `imitate train` and `imitate eval` through the CLI's main(), with the fake learner.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../envs/index.js';
import { registerFake } from '../helpers/fake-learner.js';
import { runCli as run } from '../helpers/run-cli.js';

registerFake();

const small = ['--set', 'maxEpisodeSteps=50', '--set', 'evalEvery=100', '--set', 'evalEpisodes=2', '--set', 'logEvery=50', '--set', 'bufferSize=1000', '--set', 'batchSize=8'];

t.test('train writes a run with tuned defaults, prints progress, and resumes', async (t) => {
  const dir = path.join(t.testdir(), 'run');
  let r = await run('train', '--algo', 'fake', '--env', 'Pendulum-v1', '--steps', '200', '--seed', '3', '--out', dir, ...small);
  t.equal(r.code, 0, r.err);
  t.match(r.out, new RegExp(`^training fake on Pendulum-v1 for 200 steps, seed 3, in ${dir}`));
  t.match(r.out, /^step 50\/200 {2}episodes 1 {2}return -\d+\.\d+ {2}\d+ steps\/s {2}ETA \d+:\d\d$/m);
  t.match(r.out, /^eval at step 100: return -\d+\.\d+ ± \d+\.\d+ over 2 episodes$/m);
  t.match(r.out, /^step 150\/200 .* eval -\d+\.\d+$/m);
  t.match(r.out, /^done: 200 steps \(steps\) in .* s; final eval -\d+\.\d+ ± \d+\.\d+; policy in /m);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  t.match(config, { seed: 3, steps: 200, learningStarts: 40, maxEpisodeSteps: 50, learner: { noise: 0.2, lr: 0.01 } }, "the algorithm's tuned defaults for the env");

  r = await run('train', '--resume', dir, '--env', 'Pendulum-v1');
  t.equal(r.code, 1);
  t.match(r.err, /^imitate: --resume .* only --steps may be given with it, not --env$/);
  r = await run('train', '--resume', dir);
  t.match(r.err, /is complete: its checkpoint is at step 200 and the target is 200 steps; pass a larger --steps/);
  t.notMatch(r.err, /\n\s+at /, 'no stack trace');
  r = await run('train', '--resume', dir, '--steps', '300', '--quiet');
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '', '--quiet prints nothing');
  t.match(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')), { steps: 300, resumedFromStep: 200 });
});

t.test('--config and --set layer over the tuned defaults', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ algo: 'fake', env: 'Pendulum-v1', steps: 100, learningStarts: 30, learner: { lr: 0.5 } }) });
  const r = await run('train', '--config', path.join(dir, 'c.json'), '--set', 'learner.lr=0.25', '--out', path.join(dir, 'run'), '--quiet', ...small);
  t.equal(r.code, 0, r.err);
  t.match(JSON.parse(readFileSync(path.join(dir, 'run', 'config.json'), 'utf8')), { steps: 100, learningStarts: 30, learner: { lr: 0.25, noise: 0.2 } });
});

t.test('train errors are one clear line', async (t) => {
  const dir = t.testdir();
  let r = await run('train', '--algo', 'nope', '--env', 'Pendulum-v1', '--steps', '10', '--out', path.join(dir, 'a'));
  t.equal(r.code, 1);
  t.match(r.err, /^imitate: unknown algorithm 'nope'; registered: .*fake/);
  r = await run('train', '--algo', 'fake', '--env', 'Pendulum-v1', '--steps', '10', '--set', 'batchsize=3');
  t.match(r.err, /^imitate: --set batchsize=3: unknown config key 'batchsize'; allowed keys: .*batchSize/);
  r = await run('train', '--algo', 'fake', '--steps', '10');
  t.match(r.err, /^imitate: config: 'env' is required/);
  r = await run('train', '--algo', 'fake', '--env', 'Pendulum-v1', '--steps', '0');
  t.match(r.err, /^imitate: option --steps: must be positive/);
  r = await run('train', '--algo', 'fake', '--env', 'Pendulum-v1', '--steps', '10', '--set', 'learner.lr=-1', '--out', path.join(dir, 'b'));
  t.match(r.err, /^imitate: config\.learner \(fake\): lr: Too small/);
  r = await run('train', '--algo', 'fake', '--env', 'MountainCar-v0', '--steps', '10', '--out', path.join(dir, 'c'));
  t.match(r.err, /^imitate: env MountainCar-v0: action space Discrete\(3\) is not supported/);
  r = await run('train', '--resume', path.join(dir, 'none'));
  t.match(r.err, /^imitate: cannot resume .*none: .*config\.json not found/);
  for (const e of r.err.split('\n')) t.notMatch(e, /^\s+at /, 'no stack trace');
});

t.test('eval runs a saved policy and prints each episode and the mean ± std', async (t) => {
  const dir = path.join(t.testdir(), 'run');
  let r = await run('train', '--algo', 'fake', '--env', 'Pendulum-v1', '--steps', '100', '--out', dir, '--quiet', '--set', 'learner.policyFormat=mlp', ...small);
  t.equal(r.code, 0, r.err);
  const policy = path.join(dir, 'policy');
  r = await run('eval', '--policy', policy, '--episodes', '3', '--seed', '2');
  t.equal(r.code, 0, r.err);
  t.equal(r.out.match(/^episode {3}\d {2}return +-\d+\.\d{3} {2}length {4}50 {2}truncated$/gm)?.length, 3, 'the step limit the policy was trained with');
  t.match(r.out, new RegExp(`^Pendulum-v1: 3 episodes, seed 2, policy ${policy} \\(fake\\)\\nreturn -\\d+\\.\\d{3} ± \\d+\\.\\d{3} {2}length 50\\.0$`, 'm'));
  const a = JSON.parse((await run('eval', '--policy', policy, '--episodes', '2', '--seed', '5', '--json')).out);
  const b = JSON.parse((await run('eval', '--policy', policy, '--episodes', '2', '--seed', '5', '--json')).out);
  t.same(a, b, 'same seed, same episodes');
  t.equal(a.returns.length, 2);
  t.match(a, { env: 'Pendulum-v1', seed: 5 });

  r = await run('eval', '--policy', path.join(dir, 'nothing'));
  t.match(r.err, /^imitate: --policy .*nothing: policy env info .*env\.json: file not found/);
  r = await run('eval', '--policy', policy, '--env', 'MountainCarContinuous-v0');
  t.match(r.err, /^imitate: --policy .* with --env MountainCarContinuous-v0: the env's observation space .* does not match/);
  const envJson = path.join(policy, 'env.json');
  const info = JSON.parse(readFileSync(envJson, 'utf8'));
  writeFileSync(envJson, JSON.stringify({ ...info, actionSpace: { ...info.actionSpace, low: [-1], high: [1] } }));
  r = await run('eval', '--policy', policy);
  t.match(r.err, /action bounds .* differ from the ones the policy was trained on/);
});
