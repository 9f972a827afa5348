/**
 * Pieces of the learners' config schemas that SAC and TD3 share: layer sizes, gains, per-network
 * optimizers, and one way to report a bad config (every bad key named, with its path).
 */
import { z } from 'zod';
import { parseOptimizerOptions } from '../src/optim/registry.js';

export const positiveInt = z.number().int().positive();
export const layerSizes = z.array(positiveInt).min(1);
export const gain = z.number().positive();
/** An optimizer by registry name plus its options (lr, betas, ...), validated by the registry. */
export const optimizerSchema = z.looseObject({ name: z.string().min(1) });
export const ADAM = { name: 'adam' };

/** What {@link optimizerArgs} needs of a learner config. */
interface WithOptimizers {
  lr: number;
  optim: Record<string, { name: string }>;
}

/**
 * The registry name and validated options of network `net`'s optimizer; `lr` comes from the
 * config's top-level `lr` unless the optimizer entry gives its own.
 */
export function optimizerArgs(config: WithOptimizers, net: string): [string, Record<string, unknown>] {
  const { name, ...options } = config.optim[net];
  const withLr = 'lr' in options || 'learningRate' in options ? options : { ...options, lr: config.lr };
  parseOptimizerOptions(name, withLr);
  return [name, withLr];
}

/**
 * Validates a (partial) config of `algo` with `schema`, fills defaults, and checks the options of
 * each network's optimizer. The error lists every bad key with its path (`optim.actor: ...`).
 */
export function parseLearnerConfig<S extends z.ZodType<WithOptimizers>>(algo: string, schema: S, nets: readonly string[], config: unknown): z.infer<S> {
  const result = schema.safeParse(config ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys') {
        return `  ${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      }
      return `  ${path}: ${issue.message}`;
    });
    throw new TypeError(`${algo} config: invalid\n${lines.join('\n')}`);
  }
  for (const net of nets) {
    try {
      optimizerArgs(result.data, net);
    } catch (e) {
      throw new TypeError(`${algo} config: invalid\n  optim.${net}: ${(e as Error).message}`);
    }
  }
  return result.data;
}
