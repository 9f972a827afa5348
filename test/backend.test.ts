import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { chooseBackend, initBackend } from '../src/backend.js';

t.test('automatic order falls back to wasm where no native backend is installed', async (t) => {
  const info = await chooseBackend(undefined);
  t.equal(info.choice, 'wasm');
  t.equal(tf.getBackend(), 'wasm');
  t.same(info.skipped.map((s) => s.choice), ['node-gpu', 'node']);
  t.match(info.skipped[0].why, /tfjs-node-gpu is not installed/);
  t.equal(info.simd, true);
  t.equal(info.threads, 1);
  const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
  t.same(await y.data(), new Float32Array([11]), 'the chosen backend computes');
});

t.test('IMITATE_BACKEND forces a backend or fails clearly', async (t) => {
  const cpu = await chooseBackend('cpu');
  t.equal(cpu.choice, 'cpu');
  t.equal(tf.getBackend(), 'cpu');
  t.match(cpu.reason, /IMITATE_BACKEND=cpu/);
  await t.rejects(chooseBackend('node'), /IMITATE_BACKEND=node: backend 'node' is not available: @tensorflow\/tfjs-node is not installed/);
  await t.rejects(chooseBackend('cuda'), /IMITATE_BACKEND=cuda is not a backend; use one of node-gpu, node, wasm, cpu/);
});

t.test('initBackend decides once per process', async (t) => {
  const a = initBackend();
  t.equal(initBackend(), a);
  t.ok((await a).choice);
});
