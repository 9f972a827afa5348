import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import '../../envs/index.js';
import { ReplayBuffer } from '../../src/buffer.js';
import { Rng } from '../../src/rng.js';
import { Box } from '../../src/spaces.js';
import type { EvalResult } from '../../src/train/checkpoint.js';
import type { LoopConfigInput } from '../../src/train/config.js';
import { train, TrainSetupError, type TrainOptions } from '../../src/train/loop.js';
import { METRICS_COLUMNS, TIMING_COLUMNS } from '../../src/train/metrics.js';
import { FakeLearner, registerFake } from '../helpers/fake-learner.js';

registerFake();

const base = (over: Partial<LoopConfigInput> = {}): LoopConfigInput => ({
  algo: 'fake',
  env: 'Pendulum-v1',
  steps: 400,
  seed: 1,
  bufferSize: 1000,
  batchSize: 8,
  learningStarts: 50,
  evalEvery: 200,
  evalEpisodes: 2,
  logEvery: 100,
  checkpointEvery: 200,
  maxEpisodeSteps: 50,
  ...over,
});

/** t.testdir() wipes its directory on each call: call it once per test. */
const roots = new WeakMap<Test, string>();
function root(t: Test): string {
  if (!roots.has(t)) roots.set(t, t.testdir());
  return roots.get(t)!;
}

const quiet: TrainOptions = { quiet: true };

function csv(file: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}

/** metrics.csv without the wall-clock columns. */
function metricsWithoutTiming(dir: string): string[][] {
  const { header, rows } = csv(path.join(dir, 'metrics.csv'));
  const keep = header.map((h, i) => ((TIMING_COLUMNS as readonly string[]).includes(h) ? -1 : i)).filter((i) => i >= 0);
  return [keep.map((i) => header[i]), ...rows.map((r) => keep.map((i) => r[i]))];
}

function latestCheckpoint(dir: string): string {
  const pointer = JSON.parse(readFileSync(path.join(dir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  return path.join(dir, 'checkpoints', pointer.dir);
}

function learnerState(dir: string): unknown {
  return JSON.parse(readFileSync(path.join(latestCheckpoint(dir), 'learner', 'state.json'), 'utf8'));
}

function loopState(dir: string): Record<string, unknown> {
  const s = JSON.parse(readFileSync(path.join(latestCheckpoint(dir), 'loop.json'), 'utf8')) as Record<string, unknown>;
  delete s.elapsedSeconds;
  return s;
}

async function bufferRows(dir: string) {
  const b = await ReplayBuffer.loadFrom(path.join(latestCheckpoint(dir), 'buffer'));
  return { state: b.state(), rows: Array.from({ length: b.size }, (_, i) => b.transition(i)) };
}

/** Every file under `dir` with its contents and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), `${readFileSync(p).toString('base64')}@${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

t.test('a run writes config, metrics, eval, summary, checkpoint and policy', async (t) => {
  const dir = path.join(root(t), 'run');
  let configSeenAtFirstStep = false;
  const { summary } = await train(base(), {
    ...quiet,
    dir,
    callbacks: { onStep: (s) => void (s.step === 1 && (configSeenAtFirstStep = existsSync(path.join(dir, 'config.json')))) },
  });
  t.ok(configSeenAtFirstStep, 'config.json is written before training starts');
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  t.match(config, { algo: 'fake', env: 'Pendulum-v1', steps: 400, seed: 1, gamma: 0.99, nStep: 1, trainFreq: 1, stopAtReturn: null, learner: { lr: 0.01, noise: 0.3, policyFormat: 'json' } }, 'fully resolved, learner defaults included');

  const metrics = csv(path.join(dir, 'metrics.csv'));
  t.same(metrics.header.slice(0, METRICS_COLUMNS.length), [...METRICS_COLUMNS]);
  t.same(metrics.header.slice(METRICS_COLUMNS.length), ['batch_index_sum', 'target', 'w0'], "the learner's metrics, sorted");
  t.same(metrics.rows.map((r) => r[0]), ['100', '200', '300', '400']);
  t.same(metrics.rows.map((r) => r[1]), ['2', '4', '6', '8'], 'episodes (50 steps each)');
  t.same(metrics.rows.map((r) => r[2]), ['50', '150', '250', '350'], 'updates');
  for (const r of metrics.rows) t.ok(Number(r[3]) < 0, 'mean recent return of Pendulum is negative');

  const evals = csv(path.join(dir, 'eval.csv'));
  t.same(evals.header, ['step', 'return_mean', 'return_std', 'return_min', 'return_max', 'length_mean']);
  t.same(evals.rows.map((r) => [r[0], r[5]]), [['200', '50'], ['400', '50']]);

  const s = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  t.same(s, JSON.parse(JSON.stringify(summary)));
  t.match(s, { algo: 'fake', env: 'Pendulum-v1', seed: 1, steps: 400, stepsTarget: 400, episodes: 8, updates: 350, stoppedBy: 'steps', resumedFromStep: null });
  t.equal(s.finalEval.step, 400);
  t.ok(s.bestEval.returnMean >= s.finalEval.returnMean);
  t.ok(s.stepsPerSecond > 0 && s.wallSeconds > 0);

  t.same(readdirSync(path.join(dir, 'checkpoints')).filter((e) => !e.startsWith('step-')), ['latest.json'], 'one checkpoint and its pointer');
  t.equal(readdirSync(path.join(dir, 'checkpoints')).length, 2);
  t.match(loopState(dir), { step: 400, episodes: 8, updates: 350 });
  const envInfo = JSON.parse(readFileSync(path.join(dir, 'policy', 'env.json'), 'utf8'));
  t.match(envInfo, { env: 'Pendulum-v1', maxEpisodeSteps: 50, observationSpace: { type: 'Box', shape: [3] }, actionSpace: { type: 'Box', low: [-2], high: [2] }, policyActionRange: [-1, 1] });
  t.ok(existsSync(path.join(dir, 'policy', 'fake-policy.json')), "the learner's policy files");
  t.same(readdirSync(dir).sort(), ['checkpoints', 'config.json', 'eval.csv', 'metrics.csv', 'policy', 'summary.json'], 'no temporary files left');
  const learner = FakeLearner.instances.at(-1)!;
  t.ok(learner.disposed, 'the learner is disposed at the end');
  t.equal(learner.calls.episodeStart, 8, 'onEpisodeStart at every reset');
});

t.test('evaluation cadence, episodes and the deterministic policy', async (t) => {
  const seen: EvalResult[] = [];
  const { summary } = await train(base({ steps: 400, evalEvery: 150, evalEpisodes: 3 }), { ...quiet, dir: path.join(root(t), 'r'), callbacks: { onEval: (r) => void seen.push(r) } });
  t.same(seen.map((r) => r.step), [150, 300, 400], 'every evalEvery steps, and at the end');
  t.ok(seen.every((r) => r.returns.length === 3 && r.lengths.every((l) => l === 50)));
  t.equal(FakeLearner.instances.at(-1)!.calls.deterministic, 3 * 3 * 50);
  t.same(summary.finalEval, seen[2]);
  const only = await train(base({ steps: 120, evalEvery: 0 }), { ...quiet, dir: path.join(root(t), 'end-only') });
  t.equal(csv(path.join(only.dir, 'eval.csv')).rows.length, 1, 'evalEvery 0: only at the end');
});

t.test('random actions before learningStarts, then the learner acts', async (t) => {
  const dir = path.join(root(t), 'r');
  await train(base({ steps: 150, learningStarts: 70, seed: 5 }), { ...quiet, dir });
  const learner = FakeLearner.instances.at(-1)!;
  t.equal(learner.calls.explore, 80);
  t.equal(learner.calls.update, 80, 'updates start after learningStarts');
  const { rows } = await bufferRows(dir);
  const explore = new Rng(5).stream('explore');
  const space = new Box(-1, 1, [1]);
  for (let i = 0; i < 70; i++) t.same(rows[i].action, space.sample(explore), `action ${i} is the explore stream's`);
  t.ok(rows.every((r) => r.action[0] >= -1 && r.action[0] <= 1));
  t.ok(rows.filter((r) => r.truncated).length === 3 && rows.every((r) => !r.terminated), 'truncation stored as truncated');
});

t.test('trainFreq and gradientSteps', async (t) => {
  const r1 = await train(base({ steps: 200, learningStarts: 50, trainFreq: 4, gradientSteps: 3 }), { ...quiet, dir: path.join(root(t), 'a') });
  t.equal(FakeLearner.instances.at(-1)!.calls.update, (50 - 12) * 3, '38 update rounds of 3');
  t.equal(r1.summary.updates, 114);
  await train(base({ steps: 200, learningStarts: 50, trainFreq: 5, gradientSteps: -1 }), { ...quiet, dir: path.join(root(t), 'b') });
  t.equal(FakeLearner.instances.at(-1)!.calls.update, 30 * 5, 'gradientSteps -1: as many as steps collected');
});

t.test('stopping: stopAtReturn, callbacks and an abort signal', async (t) => {
  let r = await train(base({ steps: 1000, evalEvery: 100, stopAtReturn: -1e9 }), { ...quiet, dir: path.join(root(t), 'a') });
  t.match(r.summary, { steps: 100, stoppedBy: 'stopAtReturn' });
  t.equal(csv(path.join(r.dir, 'eval.csv')).rows.length, 1, 'no second evaluation at the same step');
  r = await train(base({ steps: 1000, evalEvery: 100, stopAtReturn: 1e9 }), { ...quiet, dir: path.join(root(t), 'b'), callbacks: { onStep: (s) => s.step < 123 } });
  t.match(r.summary, { steps: 123, stoppedBy: 'callback' });
  r = await train(base({ steps: 1000 }), { ...quiet, dir: path.join(root(t), 'c'), callbacks: { onEpisode: (e) => e.episode < 3 } });
  t.match(r.summary, { steps: 150, episodes: 3, stoppedBy: 'callback' });
  const controller = new AbortController();
  r = await train(base({ steps: 1000 }), { ...quiet, dir: path.join(root(t), 'd'), signal: controller.signal, callbacks: { onStep: (s) => void (s.step === 77 && controller.abort()) } });
  t.match(r.summary, { steps: 77, stoppedBy: 'signal' });
  // An abort from outside the loop (Ctrl-C in the CLI) gets in although the loop only awaits at checkpoints.
  const outside = new AbortController();
  const timer = setTimeout(() => outside.abort(), 300);
  const t0 = performance.now();
  r = await train(base({ steps: 5_000_000, checkpointEvery: 0, evalEvery: 0, logEvery: 100_000, bufferSize: 1000 }), { ...quiet, dir: path.join(root(t), 'e'), signal: outside.signal });
  clearTimeout(timer);
  t.equal(r.summary.stoppedBy, 'signal');
  t.ok(r.summary.steps < 5_000_000 && performance.now() - t0 < 10_000, `stopped at step ${r.summary.steps} after ${Math.round(performance.now() - t0)} ms`);
  t.ok(existsSync(path.join(r.dir, 'policy', 'env.json')), 'a stopped run still writes its policy and summary');
});

t.test('same seed, same run; another seed, another run', async (t) => {
  const cfg = base({ steps: 300, nStep: 3, trainFreq: 2, gradientSteps: 2 });
  const a = await train(cfg, { ...quiet, dir: path.join(root(t), 'a') });
  const b = await train(cfg, { ...quiet, dir: path.join(root(t), 'b') });
  const c = await train({ ...cfg, seed: 2 }, { ...quiet, dir: path.join(root(t), 'c') });
  t.same(metricsWithoutTiming(a.dir), metricsWithoutTiming(b.dir));
  t.equal(readFileSync(path.join(a.dir, 'eval.csv'), 'utf8'), readFileSync(path.join(b.dir, 'eval.csv'), 'utf8'));
  t.same(learnerState(a.dir), learnerState(b.dir));
  t.notSame(learnerState(a.dir), learnerState(c.dir));
  t.notSame(metricsWithoutTiming(a.dir), metricsWithoutTiming(c.dir));
});

t.test('resume is exact: stopped at k and resumed to N equals an uninterrupted N-step run', async (t) => {
  const cfg = base({ steps: 600, checkpointEvery: 100, logEvery: 40, evalEvery: 150, learningStarts: 60, batchSize: 16, trainFreq: 2, gradientSteps: 2, nStep: 3 });
  const full = await train(cfg, { ...quiet, dir: path.join(root(t), 'full') });
  const compare = async (t: Test, dir: string) => {
    t.same(learnerState(dir), learnerState(full.dir), 'learner state');
    t.same(loopState(dir), loopState(full.dir), 'loop state: counters, streams, statistics');
    t.same(await bufferRows(dir), await bufferRows(full.dir), 'replay buffer');
    t.same(metricsWithoutTiming(dir), metricsWithoutTiming(full.dir), 'metrics.csv rows');
    t.equal(readFileSync(path.join(dir, 'eval.csv'), 'utf8'), readFileSync(path.join(full.dir, 'eval.csv'), 'utf8'), 'eval.csv');
    t.same(readFileSync(path.join(dir, 'policy', 'fake-policy.json'), 'utf8'), readFileSync(path.join(full.dir, 'policy', 'fake-policy.json'), 'utf8'), 'policy');
  };

  t.test('stopped mid-episode by a callback', async (t) => {
    const dir = path.join(root(t), 'run');
    const stopped = await train(cfg, { ...quiet, dir, callbacks: { onStep: (s) => s.step < 330 } });
    t.equal(stopped.summary.steps, 330);
    t.equal(loopState(dir).step, 300, 'latest checkpoint at the episode end after 300');
    const resumed = await train(undefined, { ...quiet, resume: dir });
    t.match(resumed.summary, { steps: 600, resumedFromStep: 300, episodes: full.summary.episodes, updates: full.summary.updates, finalEval: full.summary.finalEval, bestEval: full.summary.bestEval });
    await compare(t, dir);
  });

  t.test('a shorter run ending on an episode end, extended with a new step target', async (t) => {
    const dir = path.join(root(t), 'run');
    await train({ ...cfg, steps: 350 }, { ...quiet, dir });
    t.equal(loopState(dir).step, 350, 'final checkpoint at the end');
    t.ok(csv(path.join(dir, 'eval.csv')).rows.some((r) => r[0] === '350'), 'an end-of-run evaluation off the cadence');
    await train(undefined, { ...quiet, resume: dir, steps: 600 });
    t.equal(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).steps, 600, 'config.json has the new target');
    await compare(t, dir);
  });

  t.test('a shorter run ending mid-episode, with a half-written checkpoint left by a crash', async (t) => {
    const dir = path.join(root(t), 'run');
    await train({ ...cfg, steps: 275 }, { ...quiet, dir });
    t.equal(loopState(dir).step, 200);
    const half = path.join(dir, 'checkpoints', 'tmp-step-250-0badc0de');
    mkdirSync(path.join(half, 'learner'), { recursive: true });
    writeFileSync(path.join(half, 'learner', 'state.json'), '{"w": [');
    await train(undefined, { ...quiet, resume: dir, steps: 600 });
    t.notOk(existsSync(half), 'the leftover is removed at the next checkpoint');
    await compare(t, dir);
  });
});

t.test('resume refuses a missing or corrupt checkpoint and leaves the run untouched', async (t) => {
  const dir = path.join(root(t), 'run');
  await train(base({ steps: 120, checkpointEvery: 100 }), { ...quiet, dir, callbacks: { onStep: (s) => s.step < 110 } });
  const ckpt = latestCheckpoint(dir);

  const expectError = async (t: Test, pattern: RegExp, steps?: number) => {
    const before = snapshot(dir);
    const err = await train(undefined, { ...quiet, resume: dir, steps }).then(() => null, (e: Error) => e);
    t.type(err, TrainSetupError);
    t.match(err?.message ?? '', pattern);
    t.same(snapshot(dir), before, 'nothing in the run directory changed');
  };
  const corrupt = async (t: Test, file: string, content: string | null, pattern: RegExp) => {
    const original = readFileSync(file);
    if (content === null) rmSync(file);
    else writeFileSync(file, content);
    await expectError(t, pattern);
    writeFileSync(file, original);
  };

  await t.test('corrupt loop state', (t) => corrupt(t, path.join(ckpt, 'loop.json'), '{"version": 1, "step": ', new RegExp(`checkpoint loop state ${escape(path.join(ckpt, 'loop.json'))}: not valid JSON`)));
  await t.test('loop state with a bad field', (t) =>
    corrupt(t, path.join(ckpt, 'loop.json'), readFileSync(path.join(ckpt, 'loop.json'), 'utf8').replace('"episodes": 2', '"episodes": -2'), /loop\.json: field 'episodes'/));
  await t.test('corrupt learner state', (t) => corrupt(t, path.join(ckpt, 'learner', 'state.json'), 'garbage', new RegExp(`checkpoint learner state .*${escape(path.join('learner', 'state.json'))}`)));
  await t.test('missing buffer manifest', (t) => corrupt(t, path.join(ckpt, 'buffer', 'buffer.json'), null, /buffer\.json is missing/));
  await t.test('corrupt config.json', (t) => corrupt(t, path.join(dir, 'config.json'), '{"algo": "fake", "env": "Pendulum-v1", "steps": 120, "bogus": 1}', /config\.json: unknown config key 'bogus'/));
  await t.test('corrupt metrics.csv', (t) => corrupt(t, path.join(dir, 'metrics.csv'), 'nonsense\n1,2\n', /metrics\.csv: header lacks column\(s\) step/));
  await t.test('missing pointer', (t) => corrupt(t, path.join(dir, 'checkpoints', 'latest.json'), null, /no checkpoint \(.*latest\.json not found\)/));
  await t.test('a complete run needs a larger target', (t) => expectError(t, /is complete: its checkpoint is at step 100 and the target is 100 steps/, 100));
  await t.test('not a run directory', async (t) => {
    const err = await train(undefined, { ...quiet, resume: root(t) }).then(() => null, (e: Error) => e);
    t.match(err?.message, /config\.json not found/);
  });
  // After all that, the run still resumes.
  const r = await train(undefined, { ...quiet, resume: dir });
  t.equal(r.summary.steps, 120);
});

t.test('a new run never overwrites a run directory', async (t) => {
  const dir = path.join(root(t), 'run');
  await train(base({ steps: 60 }), { ...quiet, dir });
  const before = snapshot(dir);
  const err = await train(base({ steps: 60 }), { ...quiet, dir }).then(() => null, (e: Error) => e);
  t.match(err?.message, /already holds a run .*--resume/);
  t.same(snapshot(dir), before);
});

t.test('bad setups fail before anything is written', async (t) => {
  const dir = path.join(root(t), 'x');
  const fail = (cfg: LoopConfigInput) => train(cfg, { ...quiet, dir }).then(() => null, (e: Error) => e);
  t.match((await fail(base({ env: 'CartPole-v1' })))?.message, /action space Discrete\(2\) is not supported/);
  t.match((await fail(base({ algo: 'nope' })))?.message, /unknown algorithm 'nope'; registered: .*fake/);
  t.match((await fail(base({ learner: { lr: -1 } })))?.message, /config\.learner \(fake\): lr: /);
  t.match((await fail({ ...base(), batchSize: 0 }))?.message, /config\.batchSize .*: Too small.*got 0/);
  t.notOk(existsSync(dir), 'no run directory was created');
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

t.test('progress: a bar redrawn in place on a terminal, plain lines elsewhere', async (t) => {
  const writes: string[] = [];
  await train(base({ steps: 400 }), { dir: path.join(root(t), 'tty'), terminal: { write: (s: string) => writes.push(s), columns: 100 } });
  const bars = writes.filter((w) => w.startsWith('\r['));
  t.ok(bars.length >= 1 && bars.length < 50, `redrawn at most ~5 times a second (${bars.length} draws)`);
  t.match(bars.at(-1), /^\r\[#{30}\] 400\/400 {2}\d+ steps\/s {2}ETA 0:00 {2}eval -\d+\.\d *$/);
  t.ok(bars.every((b) => b.length === 100), 'each draw fills the line (no leftovers of a longer one)');
  t.ok(writes.some((w) => /^(\r\x1b\[2K)?eval at step 200: return/.test(w)), 'evaluations print as lines above the bar');
  t.equal(writes.filter((w) => w === '\n').length, 1, 'the bar line is ended once');
  const lines: string[] = [];
  await train(base({ steps: 200 }), { dir: path.join(root(t), 'plain'), log: (l) => lines.push(l) });
  t.same(lines.filter((l) => l.startsWith('step ')).map((l) => l.split('  ')[0]), ['step 100/200', 'step 200/200'], 'a line per logEvery steps');
  t.match(lines[0], /^training fake on Pendulum-v1 for 200 steps, seed 1, in /);
  t.match(lines.at(-1), /^done: 200 steps/);
});
