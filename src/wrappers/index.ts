/** Every wrapper of this folder, re-exported from one module. */
export * from './wrapper.js';
export * from './passive-env-checker.js';
export * from './order-enforcing.js';
export * from './time-limit.js';
export * from './record-episode-statistics.js';
export * from './normalize-observation.js';
export * from './normalize-reward.js';
export * from './rescale-action.js';
export * from './action-wrapper.js';
export * from './clip-action.js';
export * from './absorbing-state.js';
export * from './vector-env.js';
