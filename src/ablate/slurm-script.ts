/**
 * The Slurm batch script of a study: one job array whose task ids are the plan indices of the
 * runs not finished yet, each task running `imitate ablate --out DIR --task $SLURM_ARRAY_TASK_ID`
 * (which skips, resumes or starts that run: src/ablate/execute.ts). Written to
 * `slurm/array.sbatch` in the study directory, so it can also be submitted by hand.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { imitateBin, runState } from './execute.js';
import { runDir, type StudyPlan } from './plan.js';

export const SLURM_DIR = 'slurm';
export const SLURM_SCRIPT = path.join(SLURM_DIR, 'array.sbatch');
export const SLURM_LOGS = path.join(SLURM_DIR, 'logs');

/** How each array task is scheduled. Everything is optional; Slurm's defaults apply where unset. */
export interface SlurmScriptOptions {
  /** At most this many tasks at once (`--array=…%M`); unlimited when unset. */
  maxParallel?: number;
  /** `--cpus-per-task`, 1 by default (a run uses one core). */
  cpusPerTask?: number;
  /** `--time` of each task, in a form Slurm accepts: `90`, `1:30:00`, `2-00:00:00`, … */
  time?: string;
  /** `--partition` (a comma-separated list is allowed). */
  partition?: string;
  /** `--mem` of each task: `4G`, `500M`, … (megabytes without a unit). */
  mem?: string;
  /** Further `#SBATCH` directives, with or without the `#SBATCH` prefix: `--account=abc`, `--qos=long`. */
  directives?: readonly string[];
  /** Node.js on the compute nodes; this process's by default (clusters with a shared filesystem). */
  node?: string;
  /** The `imitate` entry point on the compute nodes; this installation's by default. */
  bin?: string;
}

export interface SlurmScript {
  /** Absolute path of the script written. */
  script: string;
  /** Its text. */
  text: string;
  /** Plan indices of the runs in the array (the unfinished ones), ascending. */
  indices: number[];
}

/** The array's job name: `imitate-<study>`. */
export const slurmJobName = (plan: StudyPlan) => `imitate-${plan.study.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** Plan indices of the runs without a summary.json. */
export function unfinishedIndices(studyDir: string, plan: StudyPlan): number[] {
  return plan.runs.flatMap((run, i) => (runState(runDir(studyDir, run)) === 'done' ? [] : [i]));
}

/** `[0, 1, 2, 5, 7, 8]` → `0-2,5,7-8`: Slurm's `--array` syntax. Input must be ascending and distinct. */
export function compressIndices(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `s` as one bash word that expands to nothing else: single quotes, `'` written as `'\''`. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * A path inside an `#SBATCH` line: Slurm reads double quotes there but no escapes, and `%` starts
 * one of its filename patterns, so `%` is doubled and `"`, `\` and line breaks are refused.
 */
function sbatchPath(p: string, what: string, pattern: string): string {
  const bad = /["\\\n\r]/.exec(p);
  if (bad !== null) throw new Error(`${what} ${JSON.stringify(p)} contains ${JSON.stringify(bad[0])}, which an #SBATCH line cannot carry; use a directory without it`);
  return `"${p.replaceAll('%', '%%')}${pattern}"`;
}

const TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|infinite|unlimited)$/i;
const MEM = /^\d+[KMGT]?$/i;
const PARTITION = /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/;
/** Directives the script sets itself: changing them would break the array or where its logs go. */
const OWNED = /^(--array|-a|--output|-o|--parsable|--wrap)(=|\s|$)/;

function positive(name: string, v: number | undefined, fallback?: number): number | undefined {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`Slurm option ${name} must be a positive integer, got ${v}`);
  return v;
}

/** The extra directives, each checked and written as `#SBATCH …`. */
function directiveLines(directives: readonly string[]): string[] {
  return directives.map((d, i) => {
    const body = d.trim().replace(/^#SBATCH\s+/, '');
    const where = `Slurm directive ${i + 1} (${JSON.stringify(d)})`;
    if (/[\n\r]/.test(body)) throw new Error(`${where}: one directive per entry, without line breaks`);
    if (!body.startsWith('-')) throw new Error(`${where}: expected an sbatch option such as --account=NAME`);
    if (OWNED.test(body)) throw new Error(`${where}: --array and --output are set by imitate (the array holds the unfinished runs, logs go to ${SLURM_LOGS})`);
    return `#SBATCH ${body}`;
  });
}

/** The script's text for the runs at `indices` (ascending, non-empty) of `plan`. */
export function slurmScriptText(studyDir: string, plan: StudyPlan, indices: readonly number[], options: SlurmScriptOptions = {}): string {
  if (indices.length === 0) throw new Error(`study ${plan.study} in ${studyDir}: no unfinished runs, so no array to write`);
  const dir = path.resolve(studyDir);
  const maxParallel = positive('maxParallel', options.maxParallel);
  const cpus = positive('cpusPerTask', options.cpusPerTask, 1);
  const lines = [
    '#!/bin/bash',
    `# Study ${plan.study}, profile ${plan.profile}: ${indices.length} of ${plan.runs.length} runs (the unfinished ones),`,
    '# one array task per run; the task id is the run\'s index in plan.json. Written by',
    '# `imitate ablate --executor slurm`, which rewrites it on every call; resubmitting is safe',
    '# (finished runs are skipped, interrupted ones resume from their checkpoints).',
    `#SBATCH --job-name=${slurmJobName(plan)}`,
    `#SBATCH --array=${compressIndices(indices)}${maxParallel === undefined ? '' : `%${maxParallel}`}`,
    `#SBATCH --output=${sbatchPath(path.join(dir, SLURM_LOGS), 'study directory', '/%A_%a.out')}`,
    `#SBATCH --cpus-per-task=${cpus}`,
  ];
  if (options.time !== undefined) {
    if (!TIME.test(options.time)) throw new Error(`Slurm option time: expected minutes, [D-]HH:MM[:SS] or MM:SS, got ${JSON.stringify(options.time)}`);
    lines.push(`#SBATCH --time=${options.time}`);
  }
  if (options.partition !== undefined) {
    if (!PARTITION.test(options.partition)) throw new Error(`Slurm option partition: expected a partition name (or a comma-separated list), got ${JSON.stringify(options.partition)}`);
    lines.push(`#SBATCH --partition=${options.partition}`);
  }
  if (options.mem !== undefined) {
    if (!MEM.test(options.mem)) throw new Error(`Slurm option mem: expected a size such as 4G or 500M, got ${JSON.stringify(options.mem)}`);
    lines.push(`#SBATCH --mem=${options.mem}`);
  }
  lines.push(...directiveLines(options.directives ?? []));
  const node = options.node ?? process.execPath;
  const bin = options.bin ?? imitateBin();
  lines.push(
    '',
    'echo "imitate: study task $SLURM_ARRAY_TASK_ID (job $SLURM_ARRAY_JOB_ID) on $(hostname) at $(date -u +%FT%TZ)"',
    `exec ${shellQuote(node)} ${shellQuote(bin)} ablate --out ${shellQuote(dir)} --task "$SLURM_ARRAY_TASK_ID"`,
    '',
  );
  return lines.join('\n');
}

/**
 * Writes `slurm/array.sbatch` (atomically) for the unfinished runs of `plan` and creates the log
 * directory (Slurm does not, and a task whose log cannot be opened fails without a trace).
 * Throws when every run is finished.
 */
export function writeSlurmScript(studyDir: string, plan: StudyPlan, options: SlurmScriptOptions = {}): SlurmScript {
  const indices = unfinishedIndices(studyDir, plan);
  const text = slurmScriptText(studyDir, plan, indices, options);
  const script = path.resolve(studyDir, SLURM_SCRIPT);
  mkdirSync(path.resolve(studyDir, SLURM_LOGS), { recursive: true });
  writeFileAtomic(script, text);
  return { script, text, indices };
}
