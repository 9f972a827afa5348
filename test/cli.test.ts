import t from 'tap';
import { loadMujoco } from '../envs/index.js';
import { runCli as run } from './helpers/run-cli.js';

await loadMujoco();

t.test('--help lists the commands', async (t) => {
  const r = await run('--help');
  t.equal(r.code, 0);
  for (const c of ['info', 'envs', 'rollout', 'check-env']) t.match(r.out, new RegExp(`\\b${c}\\b`));
  t.match((await run('--version')).out, /^\d+\.\d+\.\d+$/);
});

t.test('envs lists built-in envs with spaces and step limits', async (t) => {
  const r = await run('envs');
  t.equal(r.code, 0);
  t.match(r.out, /Pendulum-v1/);
  t.match(r.out, /observation Box\(\[1, 1, 8\]|observation Box\(/);
  t.match(r.out, /max steps 200/);
  for (const id of ['MountainCarContinuous-v0', 'CartPole-v1', 'MountainCar-v0', 'Acrobot-v1']) t.match(r.out, id);
  const json = JSON.parse((await run('envs', '--json')).out) as { id: string; maxEpisodeSteps: number }[];
  t.equal(json.find((e) => e.id === 'CartPole-v1')?.maxEpisodeSteps, 500);
});

t.test('rollout prints each episode and is reproducible from its seed', async (t) => {
  const r = await run('rollout', '--env', 'Pendulum-v1', '--episodes', '3', '--seed', '4');
  t.equal(r.code, 0, r.err);
  t.equal(r.out.match(/^episode/gm)?.length, 3);
  t.match(r.out, /length   200  truncated/);
  const a = JSON.parse((await run('rollout', '--env', 'CartPole-v1', '--episodes', '4', '--seed', '9', '--json')).out);
  const b = JSON.parse((await run('rollout', '--env', 'CartPole-v1', '--episodes', '4', '--seed', '9', '--json')).out);
  const c = JSON.parse((await run('rollout', '--env', 'CartPole-v1', '--episodes', '4', '--seed', '10', '--json')).out);
  t.same(a.episodes, b.episodes, 'same seed, same episodes');
  t.notSame(a.episodes, c.episodes, 'different seed, different episodes');
  t.ok(a.episodes.every((e: { terminated: boolean }) => e.terminated), 'random CartPole episodes terminate');
});

t.test('bad input gets one clear line', async (t) => {
  let r = await run('rollout', '--env', 'Pendulum-v9');
  t.equal(r.code, 1);
  t.match(r.err, /No env registered with id 'Pendulum-v9'.*Pendulum-v1/);
  t.notMatch(r.err, /at .*\.ts:\d+/, 'no stack trace');
  r = await run('rollout', '--env', 'Pendulum-v1', '--episodes', '0');
  t.match(r.err, /option --episodes: must be positive/);
  r = await run('rollout', '--env', 'Pendulum-v1', '--seed', '-3');
  t.match(r.err, /option --seed: must be non-negative/);
  r = await run('rollout');
  t.not(r.code, 0);
  t.match(r.err, /required option '--env <id>'/);
  r = await run('envs', '--import', './no/such/file.ts');
  t.match(r.err, /--import \.\/no\/such\/file\.ts: file not found/);
});

t.test('--import registers a user env for every command', async (t) => {
  const mod = 'test/fixtures/toy-module.ts';
  t.match((await run('envs', '--import', mod)).out, /ToyWalk-v0 — toy walk from --import/);
  const r = await run('rollout', '--import', mod, '--env', 'ToyWalk-v0', '--episodes', '2');
  t.equal(r.code, 0, r.err);
  t.equal(r.out.match(/^episode/gm)?.length, 2);
  const c = await run('check-env', '--import', mod, '--env', 'ToyWalk-v0');
  t.equal(c.code, 0, c.err);
  t.match(c.out, /ToyWalk-v0: ok/);
});

t.test('check-env checks built-in envs and rejects a broken module with the rule it broke', async (t) => {
  for (const id of ['Pendulum-v1', 'CartPole-v1', 'Acrobot-v1']) {
    const r = await run('check-env', '--env', id);
    t.equal(r.code, 0, r.err);
    t.match(r.out, new RegExp(`${id}: ok`));
  }
  const r = await run('check-env', 'test/fixtures/broken-module.ts');
  t.equal(r.code, 1);
  t.match(r.err, /Float64Obs-v0/);
  t.match(r.err, /Float32Array/);
});

t.test('info reports the backend', async (t) => {
  const r = await run('info', '--json');
  t.equal(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  t.equal(info.choice, 'wasm', 'wasm is the default where no native backend is installed');
  t.equal(info.simd, true);
  t.equal(info.threads, 1);
  t.equal(info.versions['tfjs-core'], '4.22.0');
});
