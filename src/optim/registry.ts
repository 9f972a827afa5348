/**
 * Optimizers by name: `createOptimizer('adam', { lr: 3e-4 })`. Each entry validates its options
 * with a strict zod schema (a typo is an error naming the option, never silently ignored), so
 * configs can name any registered optimizer for any network: 'adam', 'soap', 'fismo' and 'muon'
 * are built in.
 *
 * Checkpoints go through {@link optimizerState} / {@link setOptimizerState}: the optimizer's
 * getWeights/setWeights, as named float32 tensors that weights-io can store.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Adam, type NamedTensor } from './adam.js';
import { Fismo } from './fismo.js';
import { Soap, SOAP_DEFAULTS } from './soap.js';

export type { NamedTensor } from './adam.js';

/** Builds an optimizer from validated options. */
export type OptimizerFactory<T> = (options: T) => tf.Optimizer;

interface Entry {
  factory: OptimizerFactory<unknown>;
  schema: z.ZodType;
}

const optimizers = new Map<string, Entry>();

/**
 * Makes an optimizer available by name. `schema` validates and fills the options; it should be a
 * strict object so unknown options are rejected.
 */
export function registerOptimizer<S extends z.ZodType>(name: string, factory: OptimizerFactory<z.infer<S>>, schema: S): void {
  if (optimizers.has(name)) throw new Error(`optimizer '${name}' is already registered`);
  optimizers.set(name, { factory: factory as OptimizerFactory<unknown>, schema });
}

/** Names of the registered optimizers. */
export function registeredOptimizers(): string[] {
  return [...optimizers.keys()].sort();
}

/** Validates `options` for optimizer `name` and fills its defaults; errors name each bad option. */
export function parseOptimizerOptions(name: string, options: Record<string, unknown> = {}): unknown {
  const entry = optimizers.get(name);
  if (entry === undefined) throw new Error(`unknown optimizer '${name}'; registered: ${registeredOptimizers().join(', ')}`);
  const result = entry.schema.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `unknown option '${k}'${knownKeys(entry.schema)}`).join('; ');
    }
    const path = issue.path.length > 0 ? `option '${issue.path.join('.')}'` : 'options';
    return `${path}: ${issue.message}`;
  });
  throw new TypeError(`optimizer '${name}': ${problems.join('; ')}`);
}

/** A new optimizer `name` configured by `options` (validated; see {@link parseOptimizerOptions}). */
export function createOptimizer(name: string, options: Record<string, unknown> = {}): tf.Optimizer {
  const parsed = parseOptimizerOptions(name, options);
  return optimizers.get(name)!.factory(parsed);
}

/**
 * The optimizer's state as named float32 tensors (for weights-io). The tensors belong to the
 * optimizer: read them before its next step, do not dispose them.
 */
export async function optimizerState(opt: tf.Optimizer): Promise<NamedTensor[]> {
  const weights = await opt.getWeights();
  for (const w of weights) {
    if (w.tensor.dtype !== 'float32') throw new Error(`optimizer state tensor '${w.name}' has dtype ${w.tensor.dtype}; only float32 state can be checkpointed (use a registered optimizer)`);
  }
  return weights;
}

/** Restores {@link optimizerState}'s output (values are copied; the caller keeps its tensors). */
export async function setOptimizerState(opt: tf.Optimizer, state: readonly NamedTensor[]): Promise<void> {
  await opt.setWeights([...state]);
}

/**
 * Scales `grads` so that their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_:
 * factor min(1, maxNorm / (norm + 1e-6))). Returns new tensors and the norm before clipping; no sync.
 */
export function clipByGlobalNorm<G extends tf.NamedTensorMap | tf.Tensor[]>(grads: G, maxNorm: number): { grads: G; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  const list: tf.Tensor[] = Array.isArray(grads) ? grads : Object.values(grads);
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
    const factor = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const scaled = list.map((g) => tf.mul(g, factor));
    const out = Array.isArray(grads)
      ? scaled
      : Object.fromEntries(Object.keys(grads).map((k, i) => [k, scaled[i]]));
    return { grads: out as G, norm };
  });
}

function knownKeys(schema: z.ZodType): string {
  // A strict object, possibly inside a refine/transform pipe.
  type Shaped = { shape?: Record<string, unknown>; in?: Shaped };
  const s = schema as unknown as Shaped;
  const shape = s.shape ?? s.in?.shape;
  return shape === undefined ? '' : ` (known: ${Object.keys(shape).join(', ')})`;
}

const positive = (what: string) => z.number({ error: `${what} must be a number` }).positive({ error: `${what} must be > 0` });
const unitInterval = (what: string) => z.number({ error: `${what} must be a number` }).min(0, { error: `${what} must be in [0, 1)` }).lt(1, { error: `${what} must be in [0, 1)` });

/** Adam's options; `learningRate` is accepted as an alias of `lr`. Defaults are PyTorch's. */
export const adamOptionsSchema = z
  .strictObject({
    lr: positive('lr').optional(),
    learningRate: positive('learningRate').optional(),
    beta1: unitInterval('beta1').default(0.9),
    beta2: unitInterval('beta2').default(0.999),
    epsilon: positive('epsilon').default(1e-8),
  })
  .refine((o) => o.lr === undefined || o.learningRate === undefined, { error: 'give lr or learningRate, not both' })
  .transform(({ lr, learningRate, beta1, beta2, epsilon }) => ({ lr: lr ?? learningRate ?? 1e-3, beta1, beta2, epsilon }));

registerOptimizer('adam', (o) => new Adam(o), adamOptionsSchema);

const nonNegative = (what: string) => z.number({ error: `${what} must be a number` }).min(0, { error: `${what} must be >= 0` });
const count = (what: string) => z.number({ error: `${what} must be a number` }).int({ error: `${what} must be an integer` }).positive({ error: `${what} must be >= 1` });
const flag = (what: string) => z.boolean({ error: `${what} must be true or false` });

/** SOAP's options (src/optim/soap.ts), with the reference's defaults. */
export const soapOptionsSchema = z.strictObject({
  lr: positive('lr').default(SOAP_DEFAULTS.lr),
  beta1: unitInterval('beta1').default(SOAP_DEFAULTS.beta1),
  beta2: unitInterval('beta2').default(SOAP_DEFAULTS.beta2),
  shampooBeta: z.number({ error: 'shampooBeta must be a number' }).lt(1, { error: 'shampooBeta must be < 1 (negative: use beta2)' }).default(SOAP_DEFAULTS.shampooBeta),
  eps: positive('eps').default(SOAP_DEFAULTS.eps),
  weightDecay: nonNegative('weightDecay').default(SOAP_DEFAULTS.weightDecay),
  preconditionFrequency: count('preconditionFrequency').default(SOAP_DEFAULTS.preconditionFrequency),
  maxPrecondDim: count('maxPrecondDim').default(SOAP_DEFAULTS.maxPrecondDim),
  mergeDims: flag('mergeDims').default(SOAP_DEFAULTS.mergeDims),
  precondition1d: flag('precondition1d').default(SOAP_DEFAULTS.precondition1d),
  normalizeGrads: flag('normalizeGrads').default(SOAP_DEFAULTS.normalizeGrads),
  correctBias: flag('correctBias').default(SOAP_DEFAULTS.correctBias),
});

/** Options shared by FISMO and Muon; `adamLr` (the AdamW of non-matrix parameters) defaults to `lr`. */
function matrixOptimizerSchema(d: { lr: number; nesterov: boolean; scale: 'none' | 'muon' | 'rms' }, factors: boolean) {
  const shared = {
    lr: positive('lr').default(d.lr),
    momentum: unitInterval('momentum').default(0.95),
    nsSteps: count('nsSteps').default(5),
    weightDecay: nonNegative('weightDecay').default(0),
    nesterov: flag('nesterov').default(d.nesterov),
    scale: z.enum(['none', 'muon', 'rms'], { error: "scale must be 'none', 'muon' or 'rms'" }).default(d.scale),
    adamLr: positive('adamLr').optional(),
    adamBeta1: unitInterval('adamBeta1').default(0.9),
    adamBeta2: unitInterval('adamBeta2').default(0.95),
    adamEpsilon: positive('adamEpsilon').default(1e-10),
    adamWeightDecay: nonNegative('adamWeightDecay').default(0),
  };
  const fisher = {
    factorBeta: z.number({ error: 'factorBeta must be a number' }).min(0, { error: 'factorBeta must be in [0, 1]' }).max(1, { error: 'factorBeta must be in [0, 1]' }).default(0.95),
    damping: nonNegative('damping').default(0.1),
    rootInterval: count('rootInterval').default(1),
    maxPrecondDim: count('maxPrecondDim').default(4096),
  };
  const schema = factors ? z.strictObject({ ...shared, ...fisher }) : z.strictObject(shared);
  return schema.transform((o) => ({
    factorBeta: 1,
    damping: 0,
    rootInterval: 1,
    maxPrecondDim: 4096,
    ...o,
    factors,
    adamLr: o.adamLr ?? o.lr,
  }));
}

/** FISMO's options (src/optim/fismo.ts); the paper gives no defaults, these are spec §C4's. */
export const fismoOptionsSchema = matrixOptimizerSchema({ lr: 0.02, nesterov: false, scale: 'none' }, true);
/** Muon's options, with the reference's defaults (KellerJordan/Muon 857d1ad). */
export const muonOptionsSchema = matrixOptimizerSchema({ lr: 0.02, nesterov: true, scale: 'muon' }, false);

registerOptimizer('soap', (o) => new Soap(o), soapOptionsSchema);
registerOptimizer('fismo', (o) => new Fismo(o), fismoOptionsSchema);
registerOptimizer('muon', (o) => new Fismo(o), muonOptionsSchema);
