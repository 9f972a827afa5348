/**
 * Makes the shipped expert of one env, experts/<env-id>/: trains it with `imitate train` from the
 * config kept in that folder (or takes the policy of a finished run of that same config with
 * --from), checks it over 50 deterministic episodes against the env's threshold, records 16
 * demonstrations with `imitate collect`, and writes the folder's README.md and returns.json.
 *
 *   npm run build && npx tsx scripts/experts/make-expert.ts --env Pendulum-v1 [--from RUN_DIR]
 *
 * The experts, their seeds, training lengths and thresholds are in scripts/experts/experts.json;
 * each one's full resolved training config is experts/<env-id>/config.json (with --from and no
 * config there yet, the run's config.json is copied). Training reruns only when
 * runs/experts/<env-id>/ holds no finished run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ExpertSpec {
  algo: string;
  seed: number;
  steps: number;
  threshold: number;
  demoEpisodes: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'bin', 'imitate.js');
const EVAL_EPISODES = 50;
const EVAL_SEED = 1000;
const COLLECT_SEED = 0;
const RANDOM_EPISODES = 50;

function arg(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Runs `imitate ARGS`; returns stdout, or exits with the command's stderr. */
function imitate(args: string[], inherit = false): string {
  console.log(`$ imitate ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', stdio: inherit ? 'inherit' : 'pipe', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    console.error(r.stderr ?? '');
    process.exit(r.status ?? 1);
  }
  return r.stdout ?? '';
}

function main(): void {
  const argv = process.argv.slice(2);
  const env = arg(argv, '--env');
  const experts = JSON.parse(readFileSync(path.join(root, 'scripts', 'experts', 'experts.json'), 'utf8')) as Record<string, ExpertSpec>;
  if (env === undefined || experts[env] === undefined) {
    console.error(`usage: make-expert.ts --env ID [--from RUN_DIR]; ID one of ${Object.keys(experts).join(', ')}`);
    process.exit(2);
  }
  const spec = experts[env];
  const folder = path.join(root, 'experts', env);
  mkdirSync(folder, { recursive: true });
  const configFile = path.join(folder, 'config.json');
  const from = arg(argv, '--from');
  let runDir: string;
  if (from !== undefined) {
    runDir = path.resolve(from);
    const runConfig = readFileSync(path.join(runDir, 'config.json'), 'utf8');
    if (!existsSync(configFile)) writeFileSync(configFile, runConfig);
    if (JSON.stringify(JSON.parse(runConfig)) !== JSON.stringify(JSON.parse(readFileSync(configFile, 'utf8')))) {
      console.error(`${runDir}/config.json differs from ${configFile}: that run is not this expert's`);
      process.exit(1);
    }
  } else {
    runDir = path.join(root, 'runs', 'experts', env);
    if (!existsSync(path.join(runDir, 'summary.json'))) imitate(['train', '--config', configFile, '--out', runDir], true);
  }

  // The policy, swapped in whole.
  const policy = path.join(folder, 'policy');
  const tmp = path.join(folder, `tmp-policy-${process.pid}`);
  cpSync(path.join(runDir, 'policy'), tmp, { recursive: true });
  rmSync(policy, { recursive: true, force: true });
  renameSync(tmp, policy);

  const evaluated = JSON.parse(imitate(['eval', '--policy', policy, '--episodes', String(EVAL_EPISODES), '--seed', String(EVAL_SEED), '--json'])) as { returnMean: number; returnStd: number };
  const demos = path.join(folder, 'demos.h5');
  const collectArgs = ['collect', '--policy', path.relative(root, policy), '--env', env, '--episodes', String(spec.demoEpisodes), '--out', path.relative(root, demos), '--seed', String(COLLECT_SEED), '--deterministic', '--random-episodes', String(RANDOM_EPISODES)];
  const collected = JSON.parse(imitate([...collectArgs, '--json'])) as {
    steps: number;
    bytes: number;
    expertReturn: { mean: number; std: number };
    randomReturn: { mean: number; std: number };
  };
  const pass = evaluated.returnMean >= spec.threshold;
  const returns = {
    env,
    expert: { episodes: EVAL_EPISODES, seed: EVAL_SEED, mean: evaluated.returnMean, std: evaluated.returnStd },
    random: { episodes: RANDOM_EPISODES, seed: COLLECT_SEED, mean: collected.randomReturn.mean, std: collected.randomReturn.std },
    demos: { episodes: spec.demoEpisodes, steps: collected.steps, bytes: collected.bytes, mean: collected.expertReturn.mean, std: collected.expertReturn.std },
    threshold: spec.threshold,
    pass,
  };
  writeFileSync(path.join(folder, 'returns.json'), `${JSON.stringify(returns, null, 2)}\n`);
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as { steps: number; stoppedBy: string };
  writeFileSync(path.join(folder, 'README.md'), readme(env, spec, returns, collectArgs, summary));
  console.log(`${env}: expert ${evaluated.returnMean.toFixed(2)} ± ${evaluated.returnStd.toFixed(2)} over ${EVAL_EPISODES} episodes (threshold ${spec.threshold}: ${pass ? 'pass' : 'FAIL'}), random ${collected.randomReturn.mean.toFixed(2)} ± ${collected.randomReturn.std.toFixed(2)}`);
  if (!pass) process.exit(1);
}

function readme(
  env: string,
  spec: ExpertSpec,
  r: { expert: { mean: number; std: number }; random: { mean: number; std: number }; demos: { episodes: number; steps: number; bytes: number; mean: number; std: number } },
  collectArgs: string[],
  run: { steps: number; stoppedBy: string },
): string {
  const f = (x: number) => x.toFixed(2);
  const n = (x: number) => x.toLocaleString('en');
  const trained = run.steps === spec.steps ? `for ${n(run.steps)} env steps` : `for ${n(run.steps)} env steps (of ${n(spec.steps)}: the config's \`stopAtReturn\` ended the run)`;
  return `# ${env} expert

- \`policy/\`: a ${spec.algo.toUpperCase()} policy (loadable by \`imitate eval\` and \`imitate collect\`), trained
  ${trained} with seed ${spec.seed} and the config in \`config.json\` (the run's full resolved config).
- \`demos.h5\`: ${r.demos.episodes} deterministic episodes of that policy (${r.demos.steps.toLocaleString('en')} steps, ${Math.round(r.demos.bytes / 1024)} KB), imitate's
  HDF5 layout (docs/demonstrations.md); return ${f(r.demos.mean)} ± ${f(r.demos.std)}. The file records the
  random-policy return below, so BC and GAIL report normalized scores from it.

| policy | return over 50 episodes (mean ± std) |
|---|---|
| expert (deterministic, \`imitate eval --episodes 50 --seed ${EVAL_SEED}\`) | ${f(r.expert.mean)} ± ${f(r.expert.std)} |
| uniform random actions (seed ${COLLECT_SEED}) | ${f(r.random.mean)} ± ${f(r.random.std)} |

Threshold for this expert: ${spec.threshold}.

## Reproduce

\`\`\`sh
npm run build
npx tsx scripts/experts/make-expert.ts --env ${env}
\`\`\`

which runs

\`\`\`sh
imitate train --config experts/${env}/config.json --out runs/experts/${env}
imitate eval --policy experts/${env}/policy --episodes ${EVAL_EPISODES} --seed ${EVAL_SEED}
imitate ${collectArgs.join(' ')}
\`\`\`

One seed reproduces a training run on the same TensorFlow.js backend (wasm here); another
backend gives a different, equally valid policy.
`;
}

main();
