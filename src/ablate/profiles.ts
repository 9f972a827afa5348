/**
 * Profiles: how big a study's runs are. `smoke` checks the machinery in seconds (CI), `quick`
 * gives a first answer on Pendulum-v1 and InvertedPendulum-v5 on one machine, `paper` is the
 * paper's setting (spec/paper-lipschitz-gail.md §5: its MuJoCo envs, TD3-based config where the
 * study does not choose the learner, evaluation every 10k steps, 5 seeds, 4 demonstrations).
 */

/** One env of a profile: its training length and the settings every arm gets on it. */
export interface ProfileEnv {
  env: string;
  steps: number;
  /** `--set` assignments (key=value) for every run on this env. */
  sets: readonly string[];
}

export interface Profile {
  name: string;
  description: string;
  envs: readonly ProfileEnv[];
  seeds: readonly number[];
  numDemos: readonly number[];
  /** The learner when the study's arm does not choose one. */
  learner: 'sac' | 'td3';
}

const nets = (sizes: string) => [`learner.actorNet=${sizes}`, `learner.criticNet=${sizes}`];

const smoke: Profile = {
  name: 'smoke',
  description: '200 steps with tiny networks: checks that every arm runs and reports (seconds per run)',
  envs: [
    {
      env: 'Pendulum-v1',
      steps: 200,
      sets: [
        ...nets('[16,16]'),
        'learningStarts=100',
        'bufferSize=1000',
        'batchSize=32',
        'evalEvery=100',
        'evalEpisodes=2',
        'logEvery=100',
        'checkpointEvery=100',
        'extension.config.discriminator.hidden=[16,16]',
        'extension.config.discriminator.batchSize=32',
        'extension.config.forwardModel.hidden=[16,16]',
        'extension.config.monitor.samples=8',
        'extension.config.monitor.policySamples=2',
      ],
    },
  ],
  seeds: [0, 1],
  numDemos: [1],
  learner: 'sac',
};

const quick: Profile = {
  name: 'quick',
  description: 'Pendulum-v1 (5k steps) and InvertedPendulum-v5 (8k steps), 64-64 actor and critics, 5 seeds, 4 demonstrations',
  envs: [
    // GAIL with the shipped demos reaches 90 % of the expert here by 3k–5k steps (docs/benchmarks.md).
    { env: 'Pendulum-v1', steps: 5000, sets: [...nets('[64,64]'), 'evalEvery=500', 'checkpointEvery=1000'] },
    // 64-64 nets learn this with lr 1e-3 (1000 from 4k steps, seed 0), at 3–4× the speed of SAC's default 256-256.
    { env: 'InvertedPendulum-v5', steps: 8000, sets: [...nets('[64,64]'), 'learner.lr=0.001', 'evalEvery=1000', 'checkpointEvery=2000'] },
  ],
  seeds: [0, 1, 2, 3, 4],
  numDemos: [4],
  learner: 'sac',
};

/** The paper's env bundle without Humanoid (not built in); lengths the paper's wall-clock limits allowed are unknown, 1M is ours. */
const PAPER_ENVS = ['InvertedDoublePendulum-v5', 'Hopper-v5', 'Walker2d-v5', 'HalfCheetah-v5', 'Ant-v5'];

const paper: Profile = {
  name: 'paper',
  description: "the paper's MuJoCo envs (Humanoid excepted), 1M steps each, TD3 paper config, evaluation every 10k steps, 5 seeds, 4 demonstrations",
  envs: PAPER_ENVS.map((env) => ({ env, steps: 1_000_000, sets: ['evalEvery=10000', 'checkpointEvery=50000', ...(env === 'Hopper-v5' ? ['gamma=0.995'] : [])] })),
  seeds: [0, 1, 2, 3, 4],
  numDemos: [4],
  learner: 'td3',
};

export const PROFILES: Readonly<Record<string, Profile>> = { smoke, quick, paper };

/** The profile named `name`, or an error listing the known ones. */
export function profileNamed(name: string): Profile {
  const p = PROFILES[name];
  if (p === undefined) throw new Error(`unknown profile '${name}'; the profiles are ${Object.keys(PROFILES).join(', ')}`);
  return p;
}
