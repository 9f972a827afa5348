// Registers the algorithms (SAC, TD3) in src/learner.ts's registry and BC in src/cloning.ts's
// when imported; bin/imitate.js imports it so that `imitate train --algo NAME` and `imitate bc`
// find them.
import { registerCloner } from '../src/cloning.js';
import { registerAlgorithm } from '../src/learner.js';
import { bcEntry } from './bc.js';
import { sacEntry } from './sac.js';
import { td3Entry } from './td3.js';
// GAIL registers itself as a training extension ('gail').
import './gail/index.js';

registerAlgorithm(sacEntry);
registerAlgorithm(td3Entry);
registerCloner(bcEntry);

export { td3Entry, Td3, TD3_PAPER_PRESET, parseTd3Config, type Td3Config } from './td3.js';
export { sacEntry, Sac, parseSacConfig, squashedGaussian, type SacConfig } from './sac.js';
export { hyperparams } from './hyperparams.js';
export { bcEntry, Bc, behaviourCloning, bcLoss, parseBcConfig, NLL_ACTION_CLIP, type BcConfig, type BcLoss, type BehaviourCloningOptions } from './bc.js';
