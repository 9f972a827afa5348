import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../agents/index.js';
import '../../envs/index.js';
import { loadMujoco } from '../../envs/mujoco/loader.js';
import { main } from '../../src/cli.js';
import { hyperparams, tunedPairs } from '../../agents/hyperparams.js';
import { algorithm } from '../../src/learner.js';
import { CONFIG_KEYS } from '../../src/train/config.js';

t.test('every tuned entry uses loop keys and a learner config its algorithm accepts', async (t) => {
  const pairs = tunedPairs();
  t.ok(pairs.some((p) => p.algo === 'sac' && p.envId === 'Pendulum-v1'));
  t.ok(pairs.some((p) => p.algo === 'sac' && p.envId === 'MountainCarContinuous-v0'));
  for (const envId of ['InvertedPendulum-v5', 'InvertedDoublePendulum-v5', 'HalfCheetah-v5', 'Hopper-v5', 'Walker2d-v5', 'Ant-v5']) {
    t.ok(pairs.some((p) => p.algo === 'sac' && p.envId === envId), `sac/${envId} is tuned`);
  }
  for (const { algo, envId } of pairs) {
    const entry = hyperparams(algo, envId);
    for (const key of Object.keys(entry)) t.ok(CONFIG_KEYS.includes(key), `${algo}/${envId}: '${key}' is a loop config key`);
    t.doesNotThrow(() => algorithm(algo).parseConfig(entry.learner ?? {}), `${algo}/${envId}: learner config parses`);
    t.same(algorithm(algo).tunedDefaults?.(envId), entry, `${algo} exposes it as tunedDefaults`);
  }
});

t.test('hyperparams returns a copy and {} for unknown pairs', async (t) => {
  const a = hyperparams('sac', 'Pendulum-v1');
  (a.learner as Record<string, unknown>).lr = 5;
  t.equal((hyperparams('sac', 'Pendulum-v1').learner as Record<string, unknown>).lr, 1e-3);
  t.same(hyperparams('sac', 'Nope-v0'), {});
  t.same(hyperparams('nope', 'Pendulum-v1'), {});
});

t.test('imitate train picks up the tuned SAC entries of the MuJoCo tasks', async (t) => {
  await loadMujoco();
  const cases: [string, Record<string, unknown>][] = [
    ['Hopper-v5', { learningStarts: 10_000, learner: { actorNet: [256, 256] } }],
    ['Ant-v5', { learningStarts: 10_000 }],
    ['InvertedDoublePendulum-v5', { learningStarts: 100, learner: { actorNet: [128, 128], criticNet: [128, 128] } }],
  ];
  for (const [env, expected] of cases) {
    const dir = path.join(t.testdir(), env);
    const err: string[] = [];
    // --steps overrides the tuned step count; a small buffer and one short eval keep it fast
    const args = ['train', '--algo', 'sac', '--env', env, '--steps', '20', '--out', dir, '--quiet', '--set', 'bufferSize=100', '--set', 'evalEpisodes=1', '--set', 'maxEpisodeSteps=20'];
    const code = await main(['node', 'imitate', ...args], { out: () => {}, err: (l) => err.push(l) });
    t.equal(code, 0, err.join('\n'));
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    t.match(config, { env, steps: 20, ...expected }, `${env}: tuned entry in the resolved config`);
  }
});
