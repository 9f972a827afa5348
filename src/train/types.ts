/** The training loop's options, callbacks and results (see loop.ts). */
import type { RewardFn } from '../buffer.js';
import type { EvalResult } from './checkpoint.js';
import type { ProgressTerminal } from './progress.js';

export interface StepInfo {
  step: number;
  episodes: number;
  updates: number;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

export interface EpisodeInfo {
  /** Steps taken when the episode ended. */
  step: number;
  /** 1-based index of the episode. */
  episode: number;
  return: number;
  length: number;
  terminated: boolean;
}

/** Called by the loop; returning `false` stops training at the end of the current step. */
export interface TrainCallbacks {
  onStep?(info: StepInfo): boolean | void;
  onEpisode?(info: EpisodeInfo): boolean | void;
  onEval?(result: EvalResult): boolean | void;
}

export interface TrainOptions {
  /** Run directory of a new run (default `runs/<algo>-<env>-seed<seed>`). */
  dir?: string;
  /** Resume the run in this directory from its latest checkpoint (its config.json is used). */
  resume?: string;
  /** With `resume`: a new step target (e.g. to extend a finished run). */
  steps?: number;
  callbacks?: TrainCallbacks;
  /** Recomputes rewards at sampling time (GAIL); default: the env's rewards. */
  rewardFn?: RewardFn;
  /** Print nothing. */
  quiet?: boolean;
  /** Plain progress lines (default: stdout). */
  log?: (line: string) => void;
  /** A terminal to draw a progress bar on instead of plain lines. */
  terminal?: ProgressTerminal;
  /** Aborting stops training at the end of the current step (the CLI wires Ctrl-C to it). */
  signal?: AbortSignal;
}

export type StopReason = 'steps' | 'stopAtReturn' | 'callback' | 'signal';

/** Contents of summary.json. */
export interface TrainSummary {
  algo: string;
  env: string;
  seed: number;
  steps: number;
  stepsTarget: number;
  episodes: number;
  updates: number;
  stoppedBy: StopReason;
  /** Wall-clock seconds over all sessions of the run. */
  wallSeconds: number;
  /** Env steps per second of this session. */
  stepsPerSecond: number;
  finalEval: EvalResult | null;
  bestEval: EvalResult | null;
  resumedFromStep: number | null;
}

export interface TrainResult {
  dir: string;
  summary: TrainSummary;
}
