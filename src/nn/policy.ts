/**
 * A saved deterministic policy: `policy.json` (what the network is and how its output becomes an
 * action) next to the actor's weights (`actor.json` + `actor.bin`, see weights-io.ts). Both
 * learners write it with {@link writePolicy}; `imitate eval` / `imitate collect` read it with
 * {@link loadPolicy} without knowing the algorithm.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Mlp, mlpLayout, resolveMlpSpec, type MlpSpec } from './mlp.js';
import { writeFileAtomicAsync } from '../atomic-file.js';
import type { Rng } from '../rng.js';
import { loadWeights, saveWeights, takeWeight } from './weights-io.js';

/**
 * How the actor's output becomes an action in [−1, 1]:
 * - 'gaussian-tanh' (SAC): the output is [μ, log σ]; the deterministic action is tanh(μ);
 * - 'tanh' (TD3): the output goes through tanh.
 */
export type PolicyHead = 'gaussian-tanh' | 'tanh';

export const POLICY_FILE = 'policy.json';
export const POLICY_WEIGHTS = 'actor';
export const POLICY_FORMAT = 'imitate-policy';
export const POLICY_VERSION = 1;

/** Contents of policy.json. */
export interface PolicyDescriptor {
  format: typeof POLICY_FORMAT;
  version: number;
  algo: string;
  obsDim: number;
  actDim: number;
  mlp: MlpSpec;
  head: PolicyHead;
  /** Free-form extras (e.g. how observations were normalised), passed through. */
  meta?: Record<string, unknown>;
}

/** A loaded deterministic policy. */
export interface Policy {
  readonly algo: string;
  readonly obsDim: number;
  readonly actDim: number;
  readonly head: PolicyHead;
  readonly meta: Record<string, unknown>;
  /** The action for one observation, in [−1, 1]^actDim. */
  act(obs: Float32Array): Float32Array;
  /**
   * A stochastic action for one observation, drawn with `rng`: tanh(μ + σ·ε) for a
   * 'gaussian-tanh' head (log σ clipped to `meta.logStdMin`/`logStdMax`, SAC's −20 and 2 by
   * default). A 'tanh' head has no distribution: it throws.
   */
  sample(obs: Float32Array, rng: Rng): Float32Array;
  dispose(): void;
}

/** The action dimension an actor with `outputDim` outputs has under `head`. */
export function headActDim(head: PolicyHead, outputDim: number): number {
  return head === 'gaussian-tanh' ? outputDim / 2 : outputDim;
}

/**
 * The deterministic action of an actor network for one observation: tanh of the output (of its
 * first half for 'gaussian-tanh'). The learners' act() and a loaded policy share this function,
 * so a saved policy reproduces the learner's deterministic actions bit for bit.
 */
export function deterministicAction(mlp: Mlp, head: PolicyHead, obs: Float32Array): Float32Array {
  const out = mlp.forwardOne(obs);
  const actDim = headActDim(head, out.length);
  const action = new Float32Array(actDim);
  for (let i = 0; i < actDim; i++) action[i] = Math.tanh(out[i]);
  return action;
}

/** Writes dir/policy.json and the actor's weights. */
export async function writePolicy(
  dir: string,
  policy: { algo: string; mlp: Mlp; head: PolicyHead; meta?: Record<string, unknown> },
): Promise<void> {
  const { algo, mlp, head } = policy;
  const actDim = headActDim(head, mlp.spec.outputDim);
  if (!Number.isInteger(actDim)) throw new Error(`writePolicy: a '${head}' actor needs an even output size, got ${mlp.spec.outputDim}`);
  const descriptor: PolicyDescriptor = {
    format: POLICY_FORMAT,
    version: POLICY_VERSION,
    algo,
    obsDim: mlp.spec.inputDim,
    actDim,
    mlp: mlp.spec,
    head,
  };
  if (policy.meta !== undefined) descriptor.meta = policy.meta;
  const tensors = mlp.variables.map((tensor, i) => ({ name: mlp.variableNames[i], tensor }));
  await saveWeights(dir, POLICY_WEIGHTS, tensors, { algo });
  await writeFileAtomicAsync(join(dir, POLICY_FILE), `${JSON.stringify(descriptor, null, 2)}\n`);
}

/** Reads what {@link writePolicy} wrote; errors name the file and the bad field. */
export async function loadPolicy(dir: string): Promise<Policy> {
  const file = join(dir, POLICY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`policy file not found: ${file}`);
    throw e;
  }
  let d: PolicyDescriptor;
  try {
    d = JSON.parse(text) as PolicyDescriptor;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (d?.format !== POLICY_FORMAT) throw new Error(`${file}: field 'format' must be '${POLICY_FORMAT}', got ${JSON.stringify(d?.format)}`);
  if (d.version !== POLICY_VERSION) throw new Error(`${file}: version ${JSON.stringify(d.version)} is not supported (expected ${POLICY_VERSION})`);
  if (typeof d.algo !== 'string') throw new Error(`${file}: field 'algo' must be a string`);
  if (d.head !== 'gaussian-tanh' && d.head !== 'tanh') throw new Error(`${file}: field 'head' must be 'gaussian-tanh' or 'tanh', got ${JSON.stringify(d.head)}`);
  let spec: Required<MlpSpec>;
  try {
    spec = resolveMlpSpec(d.mlp);
  } catch (e) {
    throw new Error(`${file}: field 'mlp': ${(e as Error).message}`);
  }
  if (d.obsDim !== spec.inputDim) throw new Error(`${file}: obsDim ${d.obsDim} does not match mlp.inputDim ${spec.inputDim}`);
  if (d.actDim !== headActDim(d.head, spec.outputDim)) {
    throw new Error(`${file}: actDim ${d.actDim} does not match a '${d.head}' head on ${spec.outputDim} outputs`);
  }
  const loaded = await loadWeights(dir, POLICY_WEIGHTS);
  const initial = mlpLayout(spec).map(({ name, shape }) => tf.tensor(takeWeight(loaded, name, shape), shape, 'float32'));
  const mlp = new Mlp(spec, null, `policy(${d.algo})`, initial);
  initial.forEach((t) => t.dispose());
  const { obsDim, actDim, head } = d;
  const logStdMin = typeof d.meta?.logStdMin === 'number' ? d.meta.logStdMin : -20;
  const logStdMax = typeof d.meta?.logStdMax === 'number' ? d.meta.logStdMax : 2;
  return {
    algo: d.algo,
    obsDim,
    actDim,
    head,
    meta: d.meta ?? {},
    act(obs: Float32Array): Float32Array {
      if (obs.length !== obsDim) throw new Error(`policy.act: observation has ${obs.length} values, expected ${obsDim}`);
      return deterministicAction(mlp, head, obs);
    },
    sample(obs: Float32Array, rng: Rng): Float32Array {
      if (head !== 'gaussian-tanh') throw new Error(`policy.sample: a '${head}' policy (${d.algo}) is deterministic; it has no distribution to sample`);
      if (obs.length !== obsDim) throw new Error(`policy.sample: observation has ${obs.length} values, expected ${obsDim}`);
      const values = mlp.forwardOne(obs);
      const action = new Float32Array(actDim);
      for (let i = 0; i < actDim; i++) {
        const logStd = Math.min(logStdMax, Math.max(logStdMin, values[actDim + i]));
        action[i] = Math.tanh(values[i] + Math.exp(logStd) * rng.normal());
      }
      return action;
    },
    dispose(): void {
      mlp.dispose();
    },
  };
}
