/**
 * GAIL's configuration (the `extension.config` of a run whose `extension.name` is 'gail'), with the
 * paper's values as defaults where the paper's code and its intent agree. Where the paper's code
 * has a quirk, the intended behaviour is the default and the faithful one is a flag:
 * - `discriminator.penalty.separateEpsilon` (separate ε for the state and action parts of a WGAN
 *   interpolate; default one ε per sample);
 * - the n-step terminal bug and time limits counted as terminal: `paperQuirks`;
 * - the global-scalar observation normaliser: the paper's D uses raw clamped observations, which is
 *   what the discriminator does; no normaliser is involved.
 */
import { z } from 'zod';
import { discriminatorConfigSchema } from './discriminator.js';
import { REWARD_FORMS } from './reward.js';

const positiveInt = z.number().int().positive();

export const PRECONDITIONERS = ['none', 'purple', 'reward-grad'] as const;

export const expertSourceSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('file'),
    /** A demonstrations file, read by the registered loader (agents/gail/expert.ts). */
    path: z.string().min(1),
    numDemos: positiveInt.default(4),
  }),
  z.strictObject({
    source: z.literal('policy'),
    /** A saved policy directory (a run's policy/), rolled out in memory. */
    path: z.string().min(1),
    episodes: positiveInt.default(4),
    subsample: positiveInt.default(20),
    randomEpisodes: positiveInt.default(10),
  }),
]);

export const gailConfigSchema = z.strictObject({
  expert: expertSourceSchema,
  reward: z.enum(REWARD_FORMS).default('minimax'),
  /** DAC-style absorbing states (paper §1.5). */
  absorbing: z.boolean().default(true),
  discriminator: discriminatorConfigSchema.default(discriminatorConfigSchema.parse({})),
  /** The paper code's behaviours where it departs from the intended one, each off by default. */
  paperQuirks: z
    .strictObject({
      /** A window whose n-th row is terminal bootstraps from it (src/buffer.ts `paperNStepQuirk`). */
      nStepTerminal: z.boolean().default(false),
      /** Time-limit endings are stored as terminations (no bootstrap; not absorbing-wrapped). */
      timeLimitTerminal: z.boolean().default(false),
    })
    .default({ nStepTerminal: false, timeLimitTerminal: false }),
  /** One discriminator update (call) every this many learner updates. */
  updateEvery: positiveInt.default(1),
  precondition: z
    .strictObject({
      type: z.enum(PRECONDITIONERS).default('none'),
      /** PURPLE's k_f. */
      kf: z.number().min(0).default(7),
      /** reward-grad's k. */
      k: z.number().min(0).default(1),
      /** κ's lower bound: PURPLE 0.7; reward-grad 0 (none). */
      floor: z.number().min(0).max(1).nullable().default(null),
      /** Batch-mean penalties kept for σ. */
      window: positiveInt.default(10),
    })
    .default({ type: 'none', kf: 7, k: 1, floor: null, window: 10 }),
  forwardModel: z
    .strictObject({
      hidden: z.array(positiveInt).min(1).default([100, 100]),
      optimizer: z.looseObject({ name: z.string().min(1) }).default({ name: 'adam', lr: 2.5e-4 }),
    })
    .default({ hidden: [100, 100], optimizer: { name: 'adam', lr: 2.5e-4 } }),
  monitor: z
    .strictObject({
      /** Log ‖∇h‖, Jacobian-norm estimates and γ²C with each metrics row (trains the forward model). */
      enabled: z.boolean().default(true),
      /** Agent samples for the ‖∇h‖ and forward-model statistics. */
      samples: positiveInt.default(64),
      /** Of those, how many get the policy Jacobian estimate (2·obsDim policy calls each). */
      policySamples: positiveInt.default(16),
    })
    .default({ enabled: true, samples: 64, policySamples: 16 }),
});

export type GailConfig = z.infer<typeof gailConfigSchema>;

/** Validates a (partial) GAIL config; the error lists every bad key with its path. */
export function parseGailConfig(raw: unknown): GailConfig {
  const r = gailConfigSchema.safeParse(raw ?? {});
  if (r.success) {
    const c = r.data;
    if (c.precondition.floor !== null && c.precondition.floor <= 0 && c.precondition.type === 'purple') {
      throw new TypeError('gail config: precondition.floor must be > 0 for purple');
    }
    return c;
  }
  const lines = r.error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.join('.') : '(top level)';
    return i.code === 'unrecognized_keys' ? `  ${path}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : `  ${path}: ${i.message}`;
  });
  throw new TypeError(`gail config: invalid\n${lines.join('\n')}`);
}
