/**
 * The library's building blocks: spaces, the env API and registry, wrappers, the env checker,
 * seeded randomness and the backend choice. Built-in environments are registered by
 * `imitate/envs` (which also re-exports all of this).
 */
export * from './rng.js';
export * from './spaces.js';
export * from './env.js';
export * from './registry.js';
export * from './kwargs.js';
export * from './running-mean-std.js';
export * from './rollout.js';
export * from './check-env.js';
export * from './wrappers/index.js';
export { initBackend, BACKENDS, type BackendChoice, type BackendInfo } from './backend.js';
export * from './buffer.js';
export * from './learner.js';
export { train, TrainSetupError, type TrainCallbacks, type TrainOptions, type TrainResult, type TrainSummary } from './train/loop.js';
export { resolveConfig, loopConfigSchema, type LoopConfig, type LoopConfigInput } from './train/config.js';
export * from './demos/index.js';
export * from './cloning.js';
export * from './report/stats.js';
export { writeStudyReport, type StudyReportOptions, type StudyReportResult } from './report/study-report.js';
