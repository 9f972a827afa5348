/** Small GAIL fixtures: synthetic expert data and an extension context without a run. */
import { Gail } from '../../agents/gail/gail.js';
import { parseGailConfig } from '../../agents/gail/config.js';
import type { ExpertTransitions } from '../../agents/gail/expert.js';
import { Rng } from '../../src/rng.js';
import { parseLoopConfig } from '../../src/train/config.js';

/** `count` expert transitions with observations ~N(shift, 1) and actions ~N(shift, 0.3); the last one terminal if asked. */
export function syntheticExpert(obsDim: number, actDim: number, count: number, seed: number, shift = 1, lastTerminal = false): ExpertTransitions {
  const rng = new Rng(seed);
  const fill = (n: number, s: number) => Float32Array.from({ length: n }, () => shift + s * rng.normal());
  const terminated = new Uint8Array(count);
  if (lastTerminal) terminated[count - 1] = 1;
  return {
    count,
    obsDim,
    actDim,
    obs: fill(count * obsDim, 1),
    actions: fill(count * actDim, 0.3),
    nextObs: fill(count * obsDim, 1),
    terminated,
    expertReturn: -150,
    randomReturn: -1200,
    description: `synthetic (${count} rows)`,
  };
}

/** A Gail instance on synthetic data, outside any run. */
export function makeGail(overrides: Record<string, unknown>, expert: ExpertTransitions, seed = 0, bufferSize = 1000): Gail {
  const config = parseGailConfig({ expert: { source: 'file', path: 'synthetic' }, discriminator: { hidden: [16, 16] }, forwardModel: { hidden: [16] }, ...overrides });
  const loop = parseLoopConfig({ algo: 'sac', env: 'Pendulum-v1', steps: 100, bufferSize }, 'test');
  return new Gail(config, expert, { config: loop, obsDim: expert.obsDim, actDim: expert.actDim, rng: new Rng(seed).stream('extension') });
}
