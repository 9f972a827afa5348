// Registers the algorithms (SAC, TD3) in src/learner.ts's registry when imported; bin/imitate.js
// imports it so that `imitate train --algo NAME` finds them.
import { registerAlgorithm } from '../src/learner.js';
import { sacEntry } from './sac.js';
import { td3Entry } from './td3.js';
// GAIL registers itself as a training extension ('gail').
import './gail/index.js';

registerAlgorithm(sacEntry);
registerAlgorithm(td3Entry);

export { td3Entry, Td3, TD3_PAPER_PRESET, parseTd3Config, type Td3Config } from './td3.js';
export { sacEntry, Sac, parseSacConfig, squashedGaussian, type SacConfig } from './sac.js';
export { hyperparams } from './hyperparams.js';
