/**
 * `imitate ablate`: plans a study (src/ablate/studies.ts) under a profile into a study directory,
 * executes its runs with the local process pool (or Slurm), then writes the report.
 * `imitate ablate --out DIR --task I` executes run I of DIR's plan: what each Slurm array task runs.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { executeRun } from '../ablate/execute.js';
import { runLocalPool } from '../ablate/local-pool.js';
import { planStudy, readPlan, savePlan, type StudyPlan } from '../ablate/plan.js';
import { profileNamed } from '../ablate/profiles.js';
import { studyNamed } from '../ablate/studies.js';
import { packageRoot } from '../package-root.js';
import { writeStudyReport } from '../report/study-report.js';
import { ablateOnSlurm, slurmFlagsGiven, type SlurmFlagValues } from './ablate-slurm.js';
import { CliError, parseOption, positiveInt } from './options.js';
import { z } from 'zod';

export interface AblateCommandOptions extends SlurmFlagValues {
  study?: string;
  profile: string;
  out?: string;
  workers?: string;
  executor: string;
  dryRun?: boolean;
  seeds?: string;
  envs?: string;
  demosDir?: string;
  task?: string;
  set: string[];
}

/** `--seeds`: a count (`5` → 0…4), a list (`0,3,7`) or a range (`10-14`). */
export function parseSeeds(value: string): number[] {
  const v = value.trim();
  const seed = (s: string) => parseOption('--seeds', z.coerce.number().int('must be integers').nonnegative('must be non-negative'), s);
  if (/^\d+$/.test(v)) return Array.from({ length: parseOption('--seeds', positiveInt, v) }, (_, i) => i);
  const range = /^(\d+)-(\d+)$/.exec(v);
  if (range !== null) {
    const [a, b] = [seed(range[1]), seed(range[2])];
    if (b < a) throw new CliError(`--seeds ${value}: the range ends before it starts`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const list = v.split(',').map((s) => seed(s.trim()));
  if (new Set(list).size !== list.length) throw new CliError(`--seeds ${value}: a seed is listed twice`);
  return list;
}

/** Plans the study into its directory (or checks it against the plan already there). */
function planInto(opts: AblateCommandOptions): { dir: string; plan: StudyPlan } {
  if (opts.study === undefined) throw new CliError('give --study NAME (or --out DIR --task I to run one task of a planned study)');
  let plan: StudyPlan;
  try {
    const root = packageRoot();
    const demosDir = opts.demosDir ?? (root === null ? 'experts' : path.join(root, 'experts'));
    plan = planStudy(studyNamed(opts.study), profileNamed(opts.profile), {
      demosDir,
      seeds: opts.seeds === undefined ? undefined : parseSeeds(opts.seeds),
      envs: opts.envs?.split(',').map((e) => e.trim()),
      sets: opts.set,
    });
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, { cause: e });
  }
  const dir = opts.out ?? path.join('ablations', `${opts.study}-${opts.profile}`);
  try {
    plan = savePlan(dir, plan);
  } catch (e) {
    throw new CliError((e as Error).message, { cause: e });
  }
  return { dir, plan };
}

/** Runs one task of a planned study; resolves with the run's exit code. */
async function runTask(opts: AblateCommandOptions, out: (line: string) => void): Promise<number> {
  if (opts.out === undefined) throw new CliError('--task I needs --out DIR, the study directory');
  const index = parseOption('--task', z.coerce.number().int().nonnegative(), opts.task);
  const plan = readPlanOrFail(opts.out);
  const run = plan.runs[index];
  if (run === undefined) throw new CliError(`--task ${index}: ${opts.out} has runs 0 to ${plan.runs.length - 1}`);
  // A Slurm task given several CPUs (--cpus-per-task) lets the run's BLAS and optimizer steps use them.
  const cpus = process.env.SLURM_CPUS_PER_TASK;
  const outcome = await executeRun(opts.out, run, cpus !== undefined && /^[1-9]\d*$/.test(cpus) ? { env: { IMITATE_BLAS_THREADS: cpus, IMITATE_OPTIM_THREADS: cpus } } : {});
  const what = { skipped: 'already finished', busy: 'being run by another executor; left to it' } as Record<string, string>;
  out(`${run.id}: ${what[outcome.action] ?? `${outcome.action}, exit ${outcome.code ?? 'by signal'} after ${outcome.seconds.toFixed(0)} s`}`);
  return outcome.code ?? 1;
}

function readPlanOrFail(dir: string): StudyPlan {
  try {
    return readPlan(dir);
  } catch (e) {
    throw new CliError((e as Error).message, { cause: e });
  }
}

/** Resolves with the exit code: 0 when every run finished. */
export async function ablateCommand(opts: AblateCommandOptions, out: (line: string) => void, signal?: AbortSignal): Promise<number> {
  if (opts.task !== undefined) return runTask(opts, out);
  const executor = opts.executor;
  if (executor !== 'local' && executor !== 'slurm') throw new CliError(`--executor must be local or slurm, got '${executor}'`);
  const slurmFlags = slurmFlagsGiven(opts);
  if (executor === 'local' && slurmFlags.length > 0) throw new CliError(`${slurmFlags.join(', ')}: only with --executor slurm`);
  if (executor === 'slurm' && opts.workers !== undefined) throw new CliError('--workers is for the local executor; with --executor slurm, --max-parallel limits the tasks running at once');
  const { dir, plan } = planInto(opts);
  out(`study ${plan.study} (${plan.profile}): ${plan.arms.length} arms × ${plan.envs.length} envs → ${plan.runs.length} runs in ${dir}`);
  if (executor === 'slurm') {
    const code = await ablateOnSlurm(dir, plan, opts, out, signal);
    if (opts.dryRun === true || code === 130) return code;
    await report(dir, out);
    return code;
  }
  if (opts.dryRun === true) {
    out(`dry run: plan written to ${path.join(dir, 'plan.json')}; nothing executed`);
    return 0;
  }
  const workers = opts.workers === undefined ? availableParallelism() : parseOption('--workers', positiveInt, opts.workers);
  const result = await runLocalPool(dir, plan, { workers, log: out, signal });
  const finished = result.done + result.skipped;
  out(`${finished} of ${plan.runs.length} runs finished (${result.skipped} already were)${result.busy > 0 ? `; ${result.busy} left to another executor` : ''}${result.failed.length > 0 ? `; ${result.failed.length} failed` : ''}`);
  if (signal?.aborted === true) {
    out(`interrupted: rerun the same command to continue (finished runs are kept, interrupted ones resume from their checkpoints)`);
    return 130;
  }
  await report(dir, out);
  return result.failed.length > 0 ? 1 : 0;
}

/** The study's report, whichever executor ran it (the same runs give the same bytes). */
async function report(dir: string, out: (line: string) => void): Promise<void> {
  const r = await writeStudyReport(dir);
  out(`report: ${r.reportFile} (${r.finished} of ${r.total} runs), plots ${r.plots.map((p) => path.basename(p)).join(', ')}`);
}
