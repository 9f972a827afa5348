/**
 * Saving and restoring a learner's whole state for exact resume, shared by SAC and TD3: every
 * variable by a stable name and every optimizer's slots in one weights file, plus a JSON state
 * file (format, dims, config, counters, random streams) checked on load before anything is
 * assigned.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicAsync } from '../src/atomic-file.js';
import { assignWeights, loadWeights, saveWeights } from '../src/nn/weights-io.js';
import { optimizerState, setOptimizerState } from '../src/optim/registry.js';

/** A learner's variables by stable name, and its optimizers by prefix. */
export interface LearnerTensors {
  variables: { name: string; variable: tf.Variable }[];
  optimizers: [prefix: string, optimizer: tf.Optimizer][];
}

/** The fields every state file has; each learner adds its own. */
export interface StateFileHeader {
  format: string;
  version: 1;
  obsDim: number;
  actDim: number;
  config: unknown;
}

/**
 * Gradients as a list in `variables`' order: optimizer state is positional, so the order must not
 * depend on tfjs's variable names (which differ between processes).
 */
export function inOrder(variables: readonly tf.Variable[], grads: tf.NamedTensorMap): { name: string; tensor: tf.Tensor }[] {
  return variables.map((v) => ({ name: v.name, tensor: grads[v.name] }));
}

/** Writes `NAME-weights.{json,bin}` and `NAME-state.json` into `dir`, each atomically. */
export async function saveLearnerState<S extends StateFileHeader>(dir: string, name: string, tensors: LearnerTensors, state: S): Promise<void> {
  const list: { name: string; tensor: tf.Tensor }[] = tensors.variables.map(({ name: n, variable }) => ({ name: n, tensor: variable }));
  for (const [prefix, opt] of tensors.optimizers) {
    for (const slot of await optimizerState(opt)) list.push({ name: `${prefix}/${slot.name}`, tensor: slot.tensor });
  }
  await saveWeights(dir, `${name}-weights`, list, { algo: name });
  await writeFileAtomicAsync(join(dir, `${name}-state.json`), `${JSON.stringify(state, null, 1)}\n`);
}

/**
 * Reads `NAME-state.json`, checks it against `expected` (format, version, dims, and the exact
 * config), then assigns the weights and optimizer slots. Returns the state file for the learner's
 * own fields. Nothing is assigned when a check fails.
 */
export async function loadLearnerState<S extends StateFileHeader>(dir: string, name: string, tensors: LearnerTensors, expected: StateFileHeader): Promise<S> {
  const file = join(dir, `${name}-state.json`);
  const label = name.toUpperCase();
  let state: S;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as S;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${label} state file not found: ${file}` : `${label} state ${file}: cannot read it (${err.message})`);
  }
  if (state?.format !== expected.format || state.version !== expected.version) {
    throw new Error(`${file}: not a ${label} state (format ${JSON.stringify(state?.format)}, version ${JSON.stringify(state?.version)})`);
  }
  if (state.obsDim !== expected.obsDim || state.actDim !== expected.actDim) {
    throw new Error(`${file}: saved for obsDim ${state.obsDim}, actDim ${state.actDim}; this learner has ${expected.obsDim}, ${expected.actDim}`);
  }
  if (JSON.stringify(state.config) !== JSON.stringify(expected.config)) {
    throw new Error(`${file}: saved with another config: ${JSON.stringify(state.config)}`);
  }
  const loaded = await loadWeights(dir, `${name}-weights`);
  assignWeights(loaded, tensors.variables);
  for (const [prefix, opt] of tensors.optimizers) {
    const slots = [...loaded.tensors.entries()]
      .filter(([n]) => n.startsWith(`${prefix}/`))
      .map(([n, w]) => ({ name: n.slice(prefix.length + 1), tensor: tf.tensor(w.data, w.shape, 'float32') }));
    try {
      await setOptimizerState(opt, slots);
    } finally {
      slots.forEach((s) => s.tensor.dispose());
    }
  }
  return state;
}
