/**
 * Checks on loaded demonstrations: every value finite, every episode non-empty, and, against the
 * env the demonstrations are meant for, the same env id (when recorded), the same observation and
 * action dimensions, and actions inside the action space. Each fault gets its own message naming
 * the file, the episode, and the value.
 */
import { make } from '../registry.js';
import { Box, type Space } from '../spaces.js';
import { episodeLength, type DemoDataset } from './episode.js';
import { DemoFileError } from './errors.js';

/** What the demonstrations are checked against: an env's id, spaces and step limit. */
export interface DemoEnv {
  id: string;
  observationSpace: Space;
  actionSpace: Space;
  /** The env's time limit, or null when it has none. */
  maxEpisodeSteps: number | null;
}

/** The {@link DemoEnv} of a registered env (made once to read its spaces, then closed). */
export function demoEnv(id: string, options: { kwargs?: Record<string, unknown>; maxEpisodeSteps?: number | null } = {}): DemoEnv {
  const env = make(id, { kwargs: options.kwargs, ...(options.maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps: options.maxEpisodeSteps }) });
  try {
    const limit = options.maxEpisodeSteps !== undefined ? options.maxEpisodeSteps : (env.spec?.maxEpisodeSteps ?? null);
    return { id, observationSpace: env.observationSpace, actionSpace: env.actionSpace, maxEpisodeSteps: limit };
  } finally {
    env.close();
  }
}

/** Throws on an empty dataset, an empty episode, or a value that is NaN or infinite. */
export function checkDemoValues(file: string, dataset: DemoDataset): void {
  if (dataset.episodes.length === 0) throw new DemoFileError(file, 'contains zero episodes');
  const { obsDim, actDim } = dataset;
  dataset.episodes.forEach((ep, e) => {
    const T = episodeLength(ep);
    if (T === 0) throw new DemoFileError(file, `episode ${e} has zero steps`);
    const lengths: [string, number, number][] = [
      ['observations', ep.observations.length, T * obsDim],
      ['actions', ep.actions.length, T * actDim],
      ['next observations', ep.nextObservations.length, T * obsDim],
      ['truncated', ep.truncated.length, T],
    ];
    if (ep.rewards !== null) lengths.push(['rewards', ep.rewards.length, T]);
    for (const [name, got, want] of lengths) {
      if (got !== want) throw new DemoFileError(file, `episode ${e}: inconsistent lengths: ${name} has ${got} values, expected ${want}`);
    }
    const finite = (name: string, values: ArrayLike<number>, cols: number) => {
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) {
          const at = cols === 1 ? `[${i}]` : `[${Math.floor(i / cols)}, ${i % cols}]`;
          throw new DemoFileError(file, `episode ${e}: ${name}${at} is ${values[i]} (values must be finite)`);
        }
      }
    };
    finite('observations', ep.observations, obsDim);
    finite('actions', ep.actions, actDim);
    finite('next observations', ep.nextObservations, obsDim);
    if (ep.rewards !== null) finite('rewards', ep.rewards, 1);
    if (!Number.isFinite(ep.return)) throw new DemoFileError(file, `episode ${e}: the return is ${ep.return} (values must be finite)`);
  });
}

/**
 * Throws unless the demonstrations fit `env`: same env id when the file records one, Box spaces
 * with the dataset's dimensions, and every action inside the action space (float32 rounding
 * allowed).
 */
export function checkAgainstEnv(file: string, dataset: DemoDataset, env: DemoEnv): void {
  const recorded = dataset.metadata.envId;
  const obs = env.observationSpace;
  const act = env.actionSpace;
  if (recorded !== null && recorded !== env.id) {
    const shape = (s: unknown) => (s instanceof Box ? `[${s.shape.join(', ')}]` : String(s));
    throw new DemoFileError(file, `was recorded in ${recorded}, not in ${env.id} (the file has observations of shape [${dataset.obsDim}] and actions of shape [${dataset.actDim}]; ${env.id} has ${shape(obs)} and ${shape(act)})`);
  }
  if (!(obs instanceof Box)) throw new DemoFileError(file, `${env.id} has observation space ${obs}; demonstrations need a Box`);
  if (!(act instanceof Box)) throw new DemoFileError(file, `${env.id} has action space ${act}; demonstrations need a Box`);
  if (dataset.obsDim !== obs.size) {
    throw new DemoFileError(file, `wrong observation dimension: the episodes have ${dataset.obsDim} values per observation, ${env.id}'s observation space ${obs} has ${obs.size}`);
  }
  if (dataset.actDim !== act.size) {
    throw new DemoFileError(file, `wrong action dimension: the episodes have ${dataset.actDim} values per action, ${env.id}'s action space ${act} has ${act.size}`);
  }
  dataset.episodes.forEach((ep, e) => {
    for (let i = 0; i < ep.actions.length; i++) {
      const j = i % act.size;
      const v = ep.actions[i];
      const slack = 1e-5 * Math.max(1, Math.abs(v));
      if (v < act.low[j] - slack || v > act.high[j] + slack) {
        throw new DemoFileError(file, `episode ${e}: actions[${Math.floor(i / act.size)}, ${j}] = ${v} is outside ${env.id}'s action bounds [${act.low[j]}, ${act.high[j]}]`);
      }
    }
  });
}
