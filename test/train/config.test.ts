import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CONFIG_KEYS, ConfigError, deepMerge, parseLoopConfig, parseSet, readConfigFile, resolveConfig } from '../../src/train/config.js';

const required = { algo: 'sac', env: 'Pendulum-v1', steps: 1000 };

t.test('defaults are SB3-like and fill every key', async (t) => {
  const c = resolveConfig({ flags: required });
  t.same(c, {
    algo: 'sac',
    env: 'Pendulum-v1',
    steps: 1000,
    seed: 0,
    bufferSize: 1_000_000,
    batchSize: 256,
    learningStarts: 100,
    trainFreq: 1,
    gradientSteps: 1,
    gamma: 0.99,
    nStep: 1,
    evalEvery: 5000,
    evalEpisodes: 10,
    checkpointEvery: 10_000,
    logEvery: 1000,
    stopAtReturn: null,
    envKwargs: {},
    maxEpisodeSteps: null,
    learner: {},
    extension: null,
  });
  t.same(Object.keys(c).sort(), [...CONFIG_KEYS].sort());
});

t.test('an unknown key is named with its source and the allowed keys', async (t) => {
  const dir = t.testdir({ 'bad.json': JSON.stringify({ ...required, batch_size: 64 }) });
  const file = path.join(dir, 'bad.json');
  t.throws(() => resolveConfig({ file }), { name: 'ConfigError', message: new RegExp(`^${file.replace(/[.]/g, '\\.')}: unknown config key 'batch_size'; allowed keys: algo, env, steps, seed, bufferSize, batchSize,`) });
  t.throws(() => resolveConfig({ flags: required, sets: ['learner.lr=1', 'evalEvry=3'] }), { message: /^--set evalEvry=3: unknown config key 'evalEvry'; allowed keys: .*evalEvery/ });
  t.throws(() => resolveConfig({ flags: required, tuned: () => ({ lr: 3 }) }), { message: /^tuned defaults of sac for Pendulum-v1: unknown config key 'lr'/ });
  t.throws(() => parseLoopConfig({ ...required, extra: true }, 'runs/x/config.json'), { message: /^runs\/x\/config\.json: unknown config key 'extra'/ });
});

t.test('a bad value is named with the field, where it came from, what is expected and what was given', async (t) => {
  const err = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      t.type(e, ConfigError);
      return (e as Error).message;
    }
    return '';
  };
  t.match(err(() => resolveConfig({ flags: required, sets: ['batchSize=-3'] })), /^config\.batchSize \(from --set batchSize=-3\): Too small: expected number to be >=1, got -3$/);
  t.match(err(() => resolveConfig({ flags: required, sets: ['gamma=high'] })), /^config\.gamma \(from --set gamma=high\): .*expected number.*, got "high"$/);
  t.match(err(() => resolveConfig({ flags: required, sets: ['learningStarts=1.5'] })), /config\.learningStarts .*expected int.*, got 1\.5/);
  t.match(err(() => resolveConfig({ flags: required, sets: ['envKwargs=3'] })), /config\.envKwargs .*expected record.*, got 3/);
  t.match(err(() => resolveConfig({ flags: { algo: 'sac', env: 'Pendulum-v1' } })), /^config: 'steps' is required/);
  t.match(err(() => resolveConfig({ flags: required, tuned: { nStep: 0 } })), /^config\.nStep \(from tuned defaults\): Too small/);
  const two = err(() => resolveConfig({ flags: required, sets: ['batchSize=0', 'seed=-1'] }));
  t.match(two, /batchSize/);
  t.match(two, /seed/, 'every bad field is reported');
});

t.test('precedence: defaults < tuned < --config < flags < --set, merged deeply', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ algo: 'sac', env: 'Pendulum-v1', learningStarts: 20, gamma: 0.9, learner: { lr: 2, hidden: [64, 64] }, envKwargs: { g: 9 } }) });
  const tunedCalls: string[] = [];
  const c = resolveConfig({
    file: path.join(dir, 'c.json'),
    flags: { steps: 500, seed: undefined, gamma: 0.95 },
    sets: ['learner.lr=3', 'learner.hidden=[32]', 'envKwargs.g=10.5', 'learner.name=my-run'],
    tuned: (algo, env) => {
      tunedCalls.push(`${algo}/${env}`);
      return { batchSize: 64, learningStarts: 10, gamma: 0.8, learner: { lr: 1, tau: 0.01 } };
    },
  });
  t.same(tunedCalls, ['sac/Pendulum-v1'], 'tuned defaults asked for the algo and env the other layers chose');
  t.equal(c.batchSize, 64, 'tuned over defaults');
  t.equal(c.learningStarts, 20, 'file over tuned');
  t.equal(c.gamma, 0.95, 'flags over file');
  t.equal(c.steps, 500);
  t.equal(c.seed, 0, 'an undefined flag is no value');
  t.same(c.learner, { lr: 3, tau: 0.01, hidden: [32], name: 'my-run' }, 'set over file over tuned, key by key; arrays replaced');
  t.same(c.envKwargs, { g: 10.5 });
  const sets = resolveConfig({ flags: required, sets: ['seed=1', 'seed=2'] });
  t.equal(sets.seed, 2, 'later --set wins');
  t.equal(resolveConfig({ flags: required, tuned: () => undefined }).batchSize, 256, 'no tuned defaults for this env');
});

t.test('--set parsing', async (t) => {
  t.same(parseSet('batchSize=128'), { batchSize: 128 });
  t.same(parseSet('learner.lr=3e-4'), { learner: { lr: 3e-4 } });
  t.same(parseSet('a.b.c=[256,256]'), { a: { b: { c: [256, 256] } } });
  t.same(parseSet('env=Pendulum-v1'), { env: 'Pendulum-v1' }, 'not JSON: a string');
  t.same(parseSet('x="007"'), { x: '007' }, 'a JSON string stays a string');
  t.same(parseSet('x=007'), { x: '007' }, 'invalid JSON number: the raw string');
  t.same(parseSet('flag=true'), { flag: true });
  t.same(parseSet('stopAtReturn=null'), { stopAtReturn: null });
  t.same(parseSet('envKwargs={"g": 9.8}'), { envKwargs: { g: 9.8 } });
  t.same(parseSet('name=a=b'), { name: 'a=b' }, 'only the first = splits');
  t.same(parseSet('name='), { name: '' });
  t.throws(() => parseSet('batchSize'), { message: /--set batchSize: expected KEY=VALUE/ });
  t.throws(() => parseSet('learner..lr=1'), { message: /--set learner\.\.lr=1: the key 'learner\.\.lr' has an empty part/ });
  t.throws(() => parseSet('=1'), { message: /empty part/ });
});

t.test('config files: errors name the file', async (t) => {
  const dir = t.testdir({ 'bad.json': '{"algo": ', 'list.json': '[1, 2]' });
  t.throws(() => readConfigFile(path.join(dir, 'none.json')), { message: /config file .*none\.json: cannot read it \(ENOENT\)/ });
  t.throws(() => readConfigFile(path.join(dir, 'bad.json')), { message: /config file .*bad\.json: not valid JSON/ });
  t.throws(() => readConfigFile(path.join(dir, 'list.json')), { message: /config file .*list\.json: expected a JSON object at the top level, got \[1,2\]/ });
  writeFileSync(path.join(dir, 'ok.json'), JSON.stringify(required));
  t.same(readConfigFile(path.join(dir, 'ok.json')).values, required);
});

t.test('deepMerge', async (t) => {
  const base = { a: 1, o: { x: 1, y: { z: 1 } }, arr: [1, 2] };
  t.same(deepMerge(base, { o: { y: { w: 2 } }, arr: [3], a: undefined }), { a: 1, o: { x: 1, y: { z: 1, w: 2 } }, arr: [3] });
  t.same(base, { a: 1, o: { x: 1, y: { z: 1 } }, arr: [1, 2] }, 'inputs are not modified');
  t.same(deepMerge({ o: 1 }, { o: { x: 1 } }), { o: { x: 1 } });
  t.same(deepMerge({ o: { x: 1 } }, { o: null }), { o: null });
});
