/**
 * `imitate ablate --executor slurm`: the Slurm flags (each maps to one sbatch directive of the job
 * array, src/ablate/slurm-script.ts) and the run of a planned study through src/ablate/slurm.ts.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import type { StudyPlan } from '../ablate/plan.js';
import { runSlurm } from '../ablate/slurm.js';
import { collect, CliError, parseOption, positiveInt } from './options.js';

/** What commander gives for the Slurm flags. */
export interface SlurmFlagValues {
  maxParallel?: string;
  cpusPerTask?: string;
  time?: string;
  partition?: string;
  mem?: string;
  sbatch?: string[];
  poll?: string;
}

/** Adds the Slurm executor's flags to `cmd`. */
export function addSlurmOptions(cmd: Command): Command {
  return cmd
    .option('--max-parallel <m>', 'slurm: at most M array tasks at once (--array=…%M)')
    .option('--cpus-per-task <n>', 'slurm: CPUs of each task (default 1)')
    .option('--time <t>', 'slurm: time limit of each task (90, 1:30:00, 2-00:00:00)')
    .option('--partition <p>', 'slurm: partition(s) to submit to')
    .option('--mem <m>', 'slurm: memory of each task (4G, 500M)')
    .option('--sbatch <directive>', 'slurm: another #SBATCH directive, e.g. --sbatch=--account=abc (repeatable)', collect, [] as string[])
    .option('--poll <seconds>', 'slurm: seconds between two squeue calls while following the array (default 30)');
}

/** The Slurm flags given, as written on the command line (for executors that take none). */
export function slurmFlagsGiven(values: SlurmFlagValues): string[] {
  const flags: [keyof SlurmFlagValues, string][] = [
    ['maxParallel', '--max-parallel'], ['cpusPerTask', '--cpus-per-task'], ['time', '--time'], ['partition', '--partition'], ['mem', '--mem'], ['poll', '--poll'],
  ];
  const given = flags.filter(([k]) => values[k] !== undefined).map(([, f]) => f);
  if ((values.sbatch ?? []).length > 0) given.push('--sbatch');
  return given;
}

/**
 * Runs (or with `dryRun` scripts) the unfinished runs of `plan` as a Slurm job array and waits for
 * it; resolves with the exit code: 0 when every run finished, 1 when one failed, 130 when the
 * following was interrupted.
 */
export async function ablateOnSlurm(dir: string, plan: StudyPlan, values: SlurmFlagValues & { dryRun?: boolean }, out: (line: string) => void, signal?: AbortSignal): Promise<number> {
  const options = {
    maxParallel: values.maxParallel === undefined ? undefined : parseOption('--max-parallel', positiveInt, values.maxParallel),
    cpusPerTask: values.cpusPerTask === undefined ? undefined : parseOption('--cpus-per-task', positiveInt, values.cpusPerTask),
    pollSeconds: values.poll === undefined ? undefined : parseOption('--poll', z.coerce.number().positive('must be positive'), values.poll),
    time: values.time,
    partition: values.partition,
    mem: values.mem,
    directives: values.sbatch ?? [],
    dryRun: values.dryRun === true,
    log: out,
    signal,
  };
  let result;
  try {
    result = await runSlurm(dir, plan, options);
  } catch (e) {
    throw new CliError((e as Error).message, { cause: e });
  }
  if (options.dryRun || result.interrupted === true) return result.interrupted === true ? 130 : 0;
  const finished = result.finished + result.skipped;
  out(`${finished} of ${plan.runs.length} runs finished (${result.skipped} already were)${result.failed.length > 0 ? `; ${result.failed.length} failed` : ''}`);
  return result.failed.length > 0 ? 1 : 0;
}
