/**
 * RecordEpisodeStatistics: reports each finished episode's return, length and wall time, as
 * Gymnasium's wrapper does.
 *
 * On the step that ends an episode (terminated or truncated) the info gets
 * `episode = { r, l, t }`: the undiscounted return, the number of steps and the seconds since
 * the reset (rounded to microseconds, as Gymnasium). The last `bufferLength` values of each are
 * kept in {@link RecordEpisodeStatistics.returnQueue} and friends for progress logging.
 *
 * Put it inside any reward-changing wrapper (NormalizeReward) so that it records the env's own
 * reward, and outside TimeLimit so that truncated episodes are counted.
 */
import type { Env, Info, ResetOptions, StepResult } from '../env.js';
import type { SpaceValue } from '../spaces.js';
import { envName, Wrapper } from './wrapper.js';

/** What the episode-ending step's `info.episode` holds. */
export interface EpisodeStatistics {
  /** Sum of the rewards of the episode. */
  r: number;
  /** Number of steps. */
  l: number;
  /** Seconds from the reset to the last step, rounded to 1e-6. */
  t: number;
}

/** Options of {@link RecordEpisodeStatistics}. */
export interface RecordEpisodeStatisticsOptions {
  /** How many finished episodes the queues keep (default 100). */
  bufferLength?: number;
  /** The info key the statistics go under (default `'episode'`). */
  statsKey?: string;
}

export class RecordEpisodeStatistics<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> extends Wrapper<O, A> {
  readonly bufferLength: number;
  readonly statsKey: string;
  /** Episodes finished since the wrapper was created. */
  episodeCount = 0;
  /** Returns of the last `bufferLength` episodes, oldest first. */
  readonly returnQueue: number[] = [];
  /** Lengths of the last `bufferLength` episodes, oldest first. */
  readonly lengthQueue: number[] = [];
  /** Wall times (seconds) of the last `bufferLength` episodes, oldest first. */
  readonly timeQueue: number[] = [];
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = -1;

  constructor(env: Env<O, A>, options: RecordEpisodeStatisticsOptions = {}) {
    super(env);
    const { bufferLength = 100, statsKey = 'episode' } = options;
    if (!Number.isSafeInteger(bufferLength) || bufferLength <= 0) {
      throw new RangeError(`RecordEpisodeStatistics: bufferLength must be a positive integer, got ${bufferLength}`);
    }
    if (typeof statsKey !== 'string' || statsKey.length === 0) throw new TypeError('RecordEpisodeStatistics: statsKey must be a non-empty string');
    this.bufferLength = bufferLength;
    this.statsKey = statsKey;
  }

  override reset(options?: ResetOptions): [O, Info] {
    const result = super.reset(options);
    this.episodeStart = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return result;
  }

  override step(action: A): StepResult<O> {
    const [obs, reward, terminated, truncated, info] = super.step(action);
    this.episodeReturn += reward;
    this.episodeLength += 1;
    if (!(terminated || truncated)) return [obs, reward, terminated, truncated, info];

    if (this.statsKey in info) {
      // Two recorders in one stack would silently overwrite each other's numbers.
      throw new Error(`${envName(this)}: info already has a '${this.statsKey}' key; is RecordEpisodeStatistics applied twice? Pass another statsKey.`);
    }
    const seconds = (performance.now() - this.episodeStart) / 1000;
    const stats: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t: Math.round(seconds * 1e6) / 1e6 };
    push(this.returnQueue, stats.r, this.bufferLength);
    push(this.lengthQueue, stats.l, this.bufferLength);
    push(this.timeQueue, stats.t, this.bufferLength);
    this.episodeCount += 1;
    // An env that steps on without a reset starts its next episode's clock here, as Gymnasium.
    this.episodeStart = performance.now();
    // A new info object, so an env that reuses its info between steps is not mutated.
    return [obs, reward, terminated, truncated, { ...info, [this.statsKey]: stats }];
  }
}

function push(queue: number[], value: number, limit: number): void {
  queue.push(value);
  if (queue.length > limit) queue.shift();
}
