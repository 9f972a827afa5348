// A fake off-policy learner for testing the training loop without tfjs networks: a linear tanh
// policy in plain JS whose "update" depends on every field of the batch, so any difference in
// collection, storage or sampling shows up in its weights. State is saved as JSON.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { registerAlgorithm, registeredAlgorithms, type Batch, type Learner, type LearnerContext, type UpdateMetrics } from '../../src/learner.js';
import type { Rng } from '../../src/rng.js';

const configSchema = z.strictObject({
  lr: z.number().positive().default(0.01),
  noise: z.number().min(0).default(0.3),
  /** 'mlp' writes a real policy directory (src/nn/policy.ts) that `imitate eval` can load. */
  policyFormat: z.enum(['json', 'mlp']).default('json'),
});
export type FakeConfig = z.infer<typeof configSchema>;

export class FakeLearner implements Learner {
  static instances: FakeLearner[] = [];
  readonly algo = 'fake';
  readonly obsDim: number;
  readonly actDim: number;
  readonly config: FakeConfig;
  private readonly rng: Rng;
  w: number[];
  b: number[];
  updates = 0;
  /** Test instrumentation, not state. */
  calls = { explore: 0, deterministic: 0, update: 0, episodeStart: 0 };
  disposed = false;

  constructor(config: FakeConfig, ctx: LearnerContext) {
    this.config = config;
    this.obsDim = ctx.obsDim;
    this.actDim = ctx.actDim;
    this.rng = ctx.rng;
    this.w = Array.from({ length: this.actDim * this.obsDim }, () => 0.1 * ctx.rng.normal());
    this.b = new Array<number>(this.actDim).fill(0);
    FakeLearner.instances.push(this);
  }

  act(obs: Float32Array, mode: 'explore' | 'deterministic'): Float32Array {
    this.calls[mode] += 1;
    const out = new Float32Array(this.actDim);
    for (let i = 0; i < this.actDim; i++) {
      let z = this.b[i];
      for (let j = 0; j < this.obsDim; j++) z += this.w[i * this.obsDim + j] * obs[j];
      let a = Math.tanh(z);
      if (mode === 'explore') a = Math.max(-1, Math.min(1, a + this.config.noise * this.rng.normal()));
      out[i] = a;
    }
    return out;
  }

  update(batch: Batch): UpdateMetrics {
    this.calls.update += 1;
    this.updates += 1;
    let target = 0;
    for (let k = 0; k < batch.size; k++) {
      let next = 0;
      for (let j = 0; j < batch.obsDim; j++) next += batch.nextObs[k * batch.obsDim + j];
      const y = batch.rewards[k] + batch.discounts[k] * (1 - batch.dones[k]) * next;
      target += y / batch.size;
      for (let i = 0; i < this.actDim; i++) {
        const a = batch.actions[k * batch.actDim + i];
        for (let j = 0; j < this.obsDim; j++) this.w[i * this.obsDim + j] += (this.config.lr * y * a * batch.obs[k * batch.obsDim + j]) / (100 * batch.size);
        this.b[i] += (this.config.lr * y * a) / (100 * batch.size);
      }
    }
    return { target, w0: this.w[0], batch_index_sum: batch.indices.reduce((s, v) => s + v, 0) };
  }

  onEpisodeStart(): void {
    this.calls.episodeStart += 1;
  }

  async saveState(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'state.json'), JSON.stringify({ w: this.w, b: this.b, updates: this.updates, rng: this.rng.state() }));
  }

  async loadState(dir: string): Promise<void> {
    const file = path.join(dir, 'state.json');
    let s: { w: number[]; b: number[]; updates: number; rng: ReturnType<Rng['state']> };
    try {
      s = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray(s.w) || s.w.length !== this.w.length) throw new Error(`${file}: field 'w' must hold ${this.w.length} numbers`);
    this.w = s.w;
    this.b = s.b;
    this.updates = s.updates;
    this.rng.setState(s.rng);
  }

  async savePolicy(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    if (this.config.policyFormat === 'json') {
      await writeFile(path.join(dir, 'fake-policy.json'), JSON.stringify({ w: this.w, b: this.b }));
      return;
    }
    // A linear 'tanh' actor: kernel [obsDim, actDim] = wᵀ, bias b.
    const tf = await import('@tensorflow/tfjs');
    const { Mlp } = await import('../../src/nn/mlp.js');
    const { writePolicy } = await import('../../src/nn/policy.js');
    const kernel = tf.tensor2d(Array.from({ length: this.obsDim * this.actDim }, (_, k) => this.w[(k % this.actDim) * this.obsDim + Math.floor(k / this.actDim)]), [this.obsDim, this.actDim]);
    const bias = tf.tensor1d(this.b);
    const mlp = new Mlp({ inputDim: this.obsDim, hidden: [], outputDim: this.actDim, activation: 'tanh' }, null, 'fake-actor', [kernel, bias]);
    kernel.dispose();
    bias.dispose();
    try {
      await writePolicy(dir, { algo: 'fake', mlp, head: 'tanh' });
    } finally {
      mlp.dispose();
    }
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** Registers 'fake' once per process; tuned defaults exist for Pendulum-v1 only. */
export function registerFake(): void {
  if (registeredAlgorithms().includes('fake')) return;
  registerAlgorithm<FakeConfig>({
    name: 'fake',
    description: 'a linear test learner',
    parseConfig: (c) => {
      const r = configSchema.safeParse(c ?? {});
      if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; '));
      return r.data;
    },
    create: (config, ctx) => new FakeLearner(config, ctx),
    tunedDefaults: (env) => (env === 'Pendulum-v1' ? { learningStarts: 40, learner: { noise: 0.2 } } : {}),
  });
}
