// Exact resume with the real tfjs learners (tiny networks): a run stopped mid-episode and resumed
// from its checkpoint ends with byte-identical weights, optimizer state and eval curve.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../agents/index.js';
import '../../envs/index.js';
import type { LoopConfigInput } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';

/** The learner's checkpoint files, by name (weights .bin and state JSON). */
function learnerFiles(runDir: string): Record<string, Buffer> {
  const pointer = JSON.parse(readFileSync(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  const dir = path.join(runDir, 'checkpoints', pointer.dir, 'learner');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
}

for (const algo of ['sac', 'td3'] as const) {
  t.test(`${algo}: stopped at 130 and resumed to 300 equals an uninterrupted 300-step run`, async (t) => {
    const root = t.testdir();
    const cfg: LoopConfigInput = {
      algo,
      env: 'Pendulum-v1',
      steps: 300,
      seed: 3,
      bufferSize: 1000,
      batchSize: 16,
      learningStarts: 40,
      evalEvery: 100,
      evalEpisodes: 1,
      checkpointEvery: 100,
      maxEpisodeSteps: 50,
      nStep: 2,
      learner: { actorNet: [8], criticNet: [8] },
    };
    const full = await train(cfg, { quiet: true, dir: path.join(root, 'full') });
    const dir = path.join(root, 'run');
    const stopped = await train(cfg, { quiet: true, dir, callbacks: { onStep: (s) => s.step < 130 } });
    t.equal(stopped.summary.steps, 130);
    const resumed = await train(undefined, { quiet: true, resume: dir });
    t.equal(resumed.summary.resumedFromStep, 100, 'resumed from the checkpoint at the episode end at step 100');
    t.equal(resumed.summary.steps, 300);
    const a = learnerFiles(full.dir);
    const b = learnerFiles(dir);
    t.same(Object.keys(b).sort(), Object.keys(a).sort());
    for (const f of Object.keys(a)) t.ok(a[f].equals(b[f]), `${f} identical`);
    t.equal(readFileSync(path.join(dir, 'eval.csv'), 'utf8'), readFileSync(path.join(full.dir, 'eval.csv'), 'utf8'), 'eval.csv identical');
    t.same(resumed.summary.finalEval, full.summary.finalEval);
  });
}
