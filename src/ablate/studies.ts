/**
 * The ablation studies: each is a list of arms (the `imitate gail` flags that make the arm) run
 * over a profile's envs × seeds × numbers of demonstrations. The paper's studies follow
 * spec/paper-lipschitz-gail.md §5.3 (run_001 … run_006); `optimizer` and `learner` are ours.
 * Studies are data: the runner turns them into command lines, so nothing here imports agents.
 */

/** One arm: a name (a path-safe id), a label for reports, and its flags for `imitate gail`. */
export interface Arm {
  name: string;
  label: string;
  args: readonly string[];
}

export interface Study {
  name: string;
  description: string;
  arms: readonly Arm[];
}

const arm = (name: string, label: string, ...args: string[]): Arm => ({ name, label, args });

/** Gradient-penalty variants ζ: the interpolation (WGAN-GP) and the two local ones. */
const ZETAS = [
  ['wgan', 'WGAN-GP (interpolates)'],
  ['dragan', 'DRAGAN (around expert)'],
  ['nagard', 'NAGARD (around agent)'],
] as const;

const gpZeta: Study = {
  name: 'gp-zeta',
  description: 'gradient penalty variant ζ (wgan / dragan / nagard), one- and two-sided, vs no penalty; λ = 10, k = 1, spectral norm on (run_001 / run_006)',
  arms: [
    ...ZETAS.flatMap(([z, label]) => [
      arm(`${z}-two-sided`, `${label}, two-sided`, '--gp', z),
      arm(`${z}-one-sided`, `${label}, one-sided`, '--gp', z, '--gp-one-sided'),
    ]),
    arm('none', 'no penalty', '--gp', 'none'),
  ],
};

/** The paper's expert-label smoothing: labels ~ U(0.7, 1.2) (`random-uniform_0.7_1.2`). */
const LABEL_SMOOTHING = '--set=extension.config.discriminator.labelSmoothing=[0.7,1.2]';

const nogp: Study = {
  name: 'nogp',
  description: 'no gradient penalty × spectral norm off/on × label smoothing off/on (run_002); compare with gp-zeta, whose arms share these settings otherwise',
  arms: [
    arm('nogp', 'no GP', '--gp', 'none', '--no-spectral-norm'),
    arm('nogp-sn', 'no GP + SN', '--gp', 'none', '--spectral-norm'),
    arm('nogp-ls', 'no GP + LS', '--gp', 'none', '--no-spectral-norm', LABEL_SMOOTHING),
    arm('nogp-sn-ls', 'no GP + SN + LS', '--gp', 'none', '--spectral-norm', LABEL_SMOOTHING),
  ],
};

const LAMBDAS = ['0.001', '0.01', '0.1', '1', '10', '100'] as const;

const gpLambda: Study = {
  name: 'gp-lambda',
  description: 'penalty weight λ of a one-sided WGAN-GP, k = 1, spectral norm on (run_003)',
  arms: LAMBDAS.map((l) => arm(`lambda-${l}`, `λ = ${l}`, '--gp', 'wgan', '--gp-one-sided', '--gp-lambda', l)),
};

const ONE_SIDED_WGAN = ['--gp', 'wgan', '--gp-one-sided'] as const;

const purple: Study = {
  name: 'purple',
  description: "one-sided WGAN-GP: base vs PURPLE's pessimistic reward preconditioning with k_f ∈ {5, …, 10} (run_004/005), and the reward-gradient preconditioner (run_001 arms 5–6)",
  arms: [
    arm('base', 'base', ...ONE_SIDED_WGAN),
    ...[5, 6, 7, 8, 9, 10].map((kf) => arm(`purple-kf${kf}`, `PURPLE k_f = ${kf}`, ...ONE_SIDED_WGAN, '--precondition', 'purple', `--set=extension.config.precondition.kf=${kf}`)),
    arm('reward-grad', 'reward-gradient preconditioner', ...ONE_SIDED_WGAN, '--precondition', 'reward-grad'),
  ],
};

const optimizer: Study = {
  name: 'optimizer',
  description: 'the optimizer of every network (actor, critics, temperature, discriminator, forward model): Adam, SOAP, FISMO',
  arms: [arm('adam', 'Adam', '--optim', 'adam'), arm('soap', 'SOAP', '--optim', 'soap'), arm('fismo', 'FISMO', '--optim', 'fismo')],
};

const learner: Study = {
  name: 'learner',
  description: "the learner under GAIL: SAC vs TD3 (the paper's configuration)",
  arms: [arm('sac', 'SAC', '--learner', 'sac'), arm('td3', 'TD3 (paper config)', '--learner', 'td3')],
};

/** Every study, by name. */
export const STUDIES: Readonly<Record<string, Study>> = Object.fromEntries([gpZeta, nogp, gpLambda, purple, optimizer, learner].map((s) => [s.name, s]));

/** The study named `name`, or an error listing the known ones. */
export function studyNamed(name: string): Study {
  const s = STUDIES[name];
  if (s === undefined) throw new Error(`unknown study '${name}'; the studies are ${Object.keys(STUDIES).join(', ')}`);
  return s;
}
