import * as tf from '@tensorflow/tfjs';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { initBackend } from '../../src/backend.js';
import { assignWeights, loadWeights, prefixed, saveWeights, takeWeight } from '../../src/nn/weights-io.js';

await initBackend();

const tensors = () => [
  { name: 'actor/dense0/kernel', tensor: tf.tensor2d([[1.5, -2], [Math.PI, 1e-30], [-0, 3.4e38]]) },
  { name: 'actor/dense0/bias', tensor: tf.tensor1d([0.1, -0.2]) },
  { name: 'log_alpha', tensor: tf.scalar(-1.25) },
];

t.test('round trip is exact, with shapes, order and metadata', async (t) => {
  const dir = t.testdir();
  const ts = tensors();
  await saveWeights(dir, 'state', ts, { step: 7, note: 'x' });
  t.same((await readdir(dir)).sort(), ['state.bin', 'state.json'], 'no temporary files left');
  const manifest = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
  t.match(manifest, { format: 'imitate-weights', version: 1, byteLength: 4 * 9, tensors: [{ name: 'actor/dense0/kernel', shape: [3, 2], dtype: 'float32', offset: 0 }, { offset: 24 }, { shape: [], offset: 32 }] });
  const loaded = await loadWeights(dir, 'state');
  t.same([...loaded.tensors.keys()], ts.map((x) => x.name));
  ts.forEach(({ name, tensor }) => {
    const w = loaded.tensors.get(name)!;
    t.same(w.shape, tensor.shape);
    t.same(w.data, tensor.dataSync(), `${name} is bit-identical`);
  });
  t.same(loaded.meta, { step: 7, note: 'x' });
  // Little-endian float32 on disk.
  const bin = await readFile(join(dir, 'state.bin'));
  t.equal(bin.readFloatLE(0), 1.5);
  tf.dispose(ts.map((x) => x.tensor));
});

t.test('assignWeights into variables, with shape checks before any assignment', async (t) => {
  const dir = t.testdir();
  const ts = tensors();
  await saveWeights(dir, 'w', ts);
  const loaded = await loadWeights(dir, 'w');
  const k = tf.variable(tf.zeros([3, 2]));
  const b = tf.variable(tf.zeros([2]));
  assignWeights(loaded, prefixed('actor', ['dense0/kernel', 'dense0/bias'], [k, b]));
  t.same(k.dataSync(), ts[0].tensor.dataSync());
  t.same(b.dataSync(), ts[1].tensor.dataSync());
  const wrong = tf.variable(tf.zeros([2, 3]));
  const untouched = tf.variable(tf.zeros([2]));
  t.throws(() => assignWeights(loaded, [{ name: 'actor/dense0/bias', variable: untouched }, { name: 'actor/dense0/kernel', variable: wrong }]),
    /w\.json: tensor 'actor\/dense0\/kernel' has shape \[3,2\], expected \[2,3\]/);
  t.same(Array.from(untouched.dataSync()), [0, 0], 'nothing assigned when one shape is wrong');
  t.throws(() => takeWeight(loaded, 'critic/x', [1]), /tensor 'critic\/x' is missing/);
  tf.dispose([k, b, wrong, untouched, ...ts.map((x) => x.tensor)]);
});

t.test('bare variables are saved under their tfjs names', async (t) => {
  const dir = t.testdir();
  const v = tf.variable(tf.tensor1d([1, 2]));
  await saveWeights(dir, 'v', [v]);
  t.same((await loadWeights(dir, 'v')).tensors.get(v.name)?.data, new Float32Array([1, 2]));
  v.dispose();
});

t.test('corrupt or missing files give specific errors', async (t) => {
  const dir = t.testdir();
  const ts = tensors();
  await t.rejects(loadWeights(dir, 'nothing'), /weights manifest file not found: .*nothing\.json/);
  await saveWeights(dir, 'a', ts);
  await truncate(join(dir, 'a.bin'), 20);
  await t.rejects(loadWeights(dir, 'a'), /a\.bin: size 20 bytes does not match the manifest's byteLength 36/);
  await saveWeights(dir, 'b', ts);
  const manifest = JSON.parse(await readFile(join(dir, 'b.json'), 'utf8'));
  manifest.tensors[1].shape = [5];
  await writeFile(join(dir, 'b.json'), JSON.stringify(manifest));
  await t.rejects(loadWeights(dir, 'b'), /b\.json: tensors\[1\] \('actor\/dense0\/bias'\): 5 floats at byte offset 24 do not fit/);
  manifest.version = 9;
  await writeFile(join(dir, 'b.json'), JSON.stringify(manifest));
  await t.rejects(loadWeights(dir, 'b'), /format version 9 is not supported/);
  await writeFile(join(dir, 'b.json'), '{"format": ');
  await t.rejects(loadWeights(dir, 'b'), /b\.json: not valid JSON/);
  await saveWeights(dir, 'c', ts);
  await (await import('node:fs/promises')).rm(join(dir, 'c.bin'));
  await t.rejects(loadWeights(dir, 'c'), /weights data file not found: .*c\.bin/);
  await t.rejects(saveWeights(dir, 'd', [ts[0], ts[0]]), /duplicate tensor name 'actor\/dense0\/kernel'/);
  const ints = tf.tensor1d([1, 2], 'int32');
  await t.rejects(saveWeights(dir, 'e', [{ name: 'i', tensor: ints }]), /tensor 'i' has dtype int32/);
  tf.dispose([ints, ...ts.map((x) => x.tensor)]);
});
