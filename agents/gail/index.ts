// Registers the 'gail' training extension (src/train/extension.ts) when imported; agents/index.ts
// imports it, so `imitate gail` and loop configs with `extension: { name: 'gail' }` find it.
import { registerExtension } from '../../src/train/extension.js';
import { demosExpertLoader } from './demos-expert.js';
import { registerExpertLoader } from './expert.js';
import { gailEntry } from './gail.js';

registerExtension(gailEntry);
// `--demos FILE` reads demonstrations through src/demos.
registerExpertLoader(demosExpertLoader);

export { Gail, gailEntry, resolveExpert } from './gail.js';
export { Discriminator, discriminatorConfigSchema, type DiscriminatorConfig } from './discriminator.js';
export { penaltyPoints, penaltyConfigSchema, type PenaltyConfig, type PenaltyType } from './penalty.js';
export { rewardFromLogit, type RewardForm } from './reward.js';
export { Purple, RewardGradient, functionPreconditioner, type Preconditioner } from './precondition.js';
export { registerExpertLoader, validateExpert, normalizedScore, expertFromPolicy, type ExpertTransitions, type ExpertLoader, type ExpertContext } from './expert.js';
export { parseGailConfig, gailConfigSchema, type GailConfig } from './config.js';
export { demosExpertLoader } from './demos-expert.js';
