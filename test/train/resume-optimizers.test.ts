// Exact resume with SOAP, FISMO and Muon in a real SAC run (tiny networks): the checkpoint at step
// 100 falls between SOAP refreshes (every 7 updates) and FISMO root refreshes (every 3), and the
// resumed run must end byte-identical to an uninterrupted one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import '../../agents/index.js';
import '../../envs/index.js';
import type { LoopConfigInput } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';

function learnerFiles(runDir: string): Record<string, Buffer> {
  const pointer = JSON.parse(readFileSync(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  const dir = path.join(runDir, 'checkpoints', pointer.dir, 'learner');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
}

t.test('sac with soap critic, fismo actor, muon alpha: stopped at 130 and resumed equals an uninterrupted run', async (t) => {
  const root = t.testdir();
  const cfg: LoopConfigInput = {
    algo: 'sac',
    env: 'Pendulum-v1',
    steps: 240,
    seed: 5,
    bufferSize: 1000,
    batchSize: 16,
    learningStarts: 40,
    evalEvery: 120,
    evalEpisodes: 1,
    checkpointEvery: 100,
    maxEpisodeSteps: 50,
    learner: {
      actorNet: [8],
      criticNet: [8],
      optim: {
        actor: { name: 'fismo', rootInterval: 3, scale: 'rms' },
        critic: { name: 'soap', preconditionFrequency: 7 },
        alpha: { name: 'muon' },
      },
    },
  };
  const full = await train(cfg, { quiet: true, dir: path.join(root, 'full') });
  const dir = path.join(root, 'run');
  await train(cfg, { quiet: true, dir, callbacks: { onStep: (s) => s.step < 130 } });
  const resumed = await train(undefined, { quiet: true, resume: dir });
  t.equal(resumed.summary.resumedFromStep, 100);
  const a = learnerFiles(full.dir);
  const b = learnerFiles(dir);
  t.same(Object.keys(b).sort(), Object.keys(a).sort());
  for (const f of Object.keys(a)) t.ok(a[f].equals(b[f]), `${f} identical`);
  const weights = JSON.parse(a['sac-weights.json'].toString()) as { weights?: { name: string }[] };
  const names = JSON.stringify(weights);
  t.match(names, /critic_optimizer\/0\/0\/QL/, 'SOAP bases are in the checkpoint');
  t.match(names, /actor_optimizer\/0\/0\/PI/, 'FISMO roots are in the checkpoint');
  t.same(resumed.summary.finalEval, full.summary.finalEval);
});
