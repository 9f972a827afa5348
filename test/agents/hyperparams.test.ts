import t from 'tap';
import '../../agents/index.js';
import { hyperparams, tunedPairs } from '../../agents/hyperparams.js';
import { algorithm } from '../../src/learner.js';
import { CONFIG_KEYS } from '../../src/train/config.js';

t.test('every tuned entry uses loop keys and a learner config its algorithm accepts', async (t) => {
  const pairs = tunedPairs();
  t.ok(pairs.some((p) => p.algo === 'sac' && p.envId === 'Pendulum-v1'));
  t.ok(pairs.some((p) => p.algo === 'sac' && p.envId === 'MountainCarContinuous-v0'));
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
