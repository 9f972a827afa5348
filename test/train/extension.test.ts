// The loop's training-extension hooks, with a fake learner and a counting extension.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../envs/index.js';
import type { LoopConfigInput } from '../../src/train/config.js';
import { registerExtension, type TrainingExtension } from '../../src/train/extension.js';
import { train } from '../../src/train/loop.js';
import { registerFake } from '../helpers/fake-learner.js';

registerFake();

const seen = { stored: 0, updates: 0, rows: 0, rewardRows: 0, evals: 0, saved: 0, loaded: 0, maxRow: -1 };
registerExtension<{ bonus: number }>({
  name: 'counting',
  description: 'counts hook calls',
  parseConfig: (c) => {
    const bonus = (c as { bonus?: unknown } | undefined)?.bonus ?? 1;
    if (typeof bonus !== 'number') throw new Error(`bonus must be a number, got ${typeof bonus}`);
    return { bonus };
  },
  async create(config): Promise<TrainingExtension> {
    return {
      rewardFn: (_o, _a, _n, count, rows) => {
        seen.rewardRows += count;
        rows.forEach((r) => (seen.maxRow = Math.max(seen.maxRow, r)));
        return new Float32Array(count).fill(config.bonus);
      },
      store(buffer, s) {
        seen.stored += 1;
        buffer.add(s.obs, s.action, s.reward, s.nextObs, s.terminated, s.truncated);
      },
      afterUpdate: () => ({ ext_updates: ++seen.updates }),
      beforeLogRow: () => ({ ext_rows: ++seen.rows }),
      evalExtras: (r) => ({ columns: { doubled: 2 * r.returnMean } }),
      async saveState() {
        seen.saved += 1;
      },
      async loadState() {
        seen.loaded += 1;
      },
      dispose() {},
    };
  },
});

const cfg = (over: Partial<LoopConfigInput> = {}): LoopConfigInput => ({
  algo: 'fake',
  env: 'Pendulum-v1',
  steps: 200,
  seed: 1,
  bufferSize: 1000,
  batchSize: 8,
  learningStarts: 50,
  evalEvery: 100,
  evalEpisodes: 1,
  logEvery: 100,
  checkpointEvery: 100,
  maxEpisodeSteps: 50,
  nStep: 3,
  extension: { name: 'counting', config: { bonus: 2 } },
  ...over,
});

t.test('the loop calls every hook and checkpoints the extension', async (t) => {
  const dir = path.join(t.testdir(), 'run');
  await train(cfg(), { quiet: true, dir });
  t.equal(seen.stored, 200, 'store: once per env step');
  t.equal(seen.updates, 150, 'afterUpdate: once per learner update');
  t.equal(seen.rows, 2, 'beforeLogRow: once per metrics row');
  t.ok(seen.rewardRows >= 150 * 8, 'rewardFn: every window row of every sample');
  t.ok(seen.maxRow >= 0 && seen.maxRow < 200, 'rewardFn gets buffer row indices');
  t.equal(seen.saved, 2, 'the extension is saved with each checkpoint');
  t.match(readFileSync(path.join(dir, 'eval.csv'), 'utf8').split('\n')[0], /doubled/, 'evalExtras columns in eval.csv');
  t.match(readFileSync(path.join(dir, 'metrics.csv'), 'utf8').split('\n')[0], /ext_rows.*ext_updates/, 'hook metrics in metrics.csv');
  t.same(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).extension, { name: 'counting', config: { bonus: 2 } }, 'config.json records the extension');
  await train(undefined, { quiet: true, resume: dir, steps: 300 });
  t.equal(seen.loaded, 1, 'a resumed run restores the extension');
});

t.test('an unknown extension or a bad extension config fails before anything is written', async (t) => {
  const dir = path.join(t.testdir(), 'bad');
  await t.rejects(train(cfg({ extension: { name: 'nope', config: {} } }), { quiet: true, dir }), /config\.extension: unknown training extension 'nope'; registered: counting/);
  await t.rejects(train(cfg({ extension: { name: 'counting', config: { bonus: 'x' } } }), { quiet: true, dir }), /config\.extension \(counting\): bonus must be a number, got string/);
  t.notOk(existsSync(path.join(dir, 'config.json')));
});
