/**
 * The Slurm executor: submits a study's unfinished runs as one job array (src/ablate/slurm-script.ts),
 * follows it with `squeue` until it leaves the queue, then reads each task's state and exit code
 * from `sacct` where the cluster keeps accounting, else from the run directories (summary.json).
 * Resubmitting is how a study is continued: finished runs are never in the array, interrupted ones
 * resume from their checkpoints, and an array of the study still in the queue is followed rather
 * than submitted twice.
 */
import { existsSync, realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_LOG, runState } from './execute.js';
import { runDir, type StudyPlan } from './plan.js';
import { firstLine, parseSacct, parseSbatchJobId, parseSqueue, slurmCommand, TERMINAL_STATES, type AccountingRecord } from './slurm-commands.js';
import { SLURM_LOGS, SLURM_SCRIPT, slurmJobName, unfinishedIndices, writeSlurmScript, type SlurmScriptOptions } from './slurm-script.js';

export { compressIndices, SLURM_SCRIPT, writeSlurmScript, type SlurmScript, type SlurmScriptOptions } from './slurm-script.js';

export interface SlurmRunOptions extends SlurmScriptOptions {
  /** Writes the script and says how to submit it; submits nothing. */
  dryRun?: boolean;
  /** Seconds between two `squeue` polls (30 by default). */
  pollSeconds?: number;
  log: (line: string) => void;
  /** Stops following the array (its tasks keep running on the cluster). */
  signal?: AbortSignal;
}

/** A task of the array whose run did not finish. */
export interface SlurmFailure {
  /** Index of the run in plan.json, which is also the array task id. */
  index: number;
  /** The run's id (`<arm>/<env>/demos<n>/seed<s>`). */
  id: string;
  /** Slurm's state of the task (FAILED, TIMEOUT, CANCELLED, …), or UNKNOWN when neither sacct nor squeue had it. */
  state: string;
  /** The task's exit code when sacct recorded one. */
  exitCode: number | null;
  /** The task's Slurm log (`slurm/logs/<job>_<task>.out`). */
  log: string;
  /** The run's own log. */
  runLog: string;
}

export interface SlurmResult {
  /** The array's job id; null when nothing was submitted (a dry run, or every run finished). */
  jobId: string | null;
  /** Tasks in the array. */
  tasks: number;
  /** Tasks of the array whose run finished. */
  finished: number;
  /** Runs that had finished before (not in the array). */
  skipped: number;
  failed: SlurmFailure[];
  /** Where the task states came from; null when nothing was followed to the end. */
  statesFrom: 'sacct' | 'run directories' | null;
  /** Set when the signal stopped the following before the array left the queue. */
  interrupted?: true;
}

const taskLog = (studyDir: string, jobId: string, index: number) => path.resolve(studyDir, SLURM_LOGS, `${jobId}_${index}.out`);

/** Asks squeue for the array's tasks (an empty map once the array has left the controller), or why it could not. */
async function queueStates(jobId: string, name: string): Promise<{ states: Map<number, string> } | { error: string }> {
  const r = await slurmCommand('squeue', ['--noheader', '--array', '--states=all', `--jobs=${jobId}`, '--format=%i|%T|%j']);
  if (r.missing === true) return { error: r.stderr };
  // A job that has left the controller's memory is "invalid": the array is over.
  if (r.code !== 0) return /invalid job id/i.test(r.stderr) ? { states: new Map() } : { error: firstLine(r.stderr) };
  return { states: parseSqueue(r.stdout, jobId, name) };
}

/**
 * An array of this study's script that is still pending or running, found by its command (Slurm
 * keeps the script's absolute path), so arrays submitted by hand after a dry run count too.
 */
async function arrayInQueue(studyDir: string): Promise<string | null> {
  const script = path.resolve(studyDir, SLURM_SCRIPT);
  if (!existsSync(script)) return null;
  const names = new Set([script, realpathSync(script)]);
  // By uid: a container's user may have no name.
  const r = await slurmCommand('squeue', ['--noheader', '--array', `--user=${process.getuid?.() ?? userInfo().username}`, '--format=%F|%o|%T']);
  // A missing or unreachable Slurm is reported by sbatch next, with its own message.
  if (r.code !== 0) return null;
  for (const line of r.stdout.split('\n')) {
    const [jobId, command, state] = line.trim().split('|');
    if (state !== undefined && names.has(command) && !TERMINAL_STATES.has(state)) return jobId;
  }
  return null;
}

/** Submits the script; the job id, or an error carrying sbatch's own message. */
async function submit(studyDir: string, script: string): Promise<string> {
  const r = await slurmCommand('sbatch', ['--parsable', script], { cwd: studyDir });
  if (r.missing === true) {
    throw new Error(`sbatch is not on PATH: run this on a Slurm login node, or use --dry-run to write ${script} only, or --executor local`);
  }
  if (r.code !== 0) throw new Error(`sbatch rejected ${script} (exit ${r.code ?? 'by signal'}): ${r.stderr.trim() || '(no message)'}`);
  return parseSbatchJobId(r.stdout);
}

/**
 * Polls squeue until no task of the array is pending or running; logs each task as it ends.
 * Returns the last state squeue showed for each task (tasks that ended between two polls and were
 * already purged have none).
 */
async function follow(studyDir: string, plan: StudyPlan, jobId: string, indices: readonly number[], options: SlurmRunOptions): Promise<{ seen: Map<number, string>; interrupted: boolean }> {
  const seen = new Map<number, string>();
  const ended = new Set<number>();
  const pollMs = Math.max(0, (options.pollSeconds ?? 30) * 1000);
  let lastCounts = '';
  let errors = 0;
  for (;;) {
    const q = await queueStates(jobId, slurmJobName(plan));
    if ('error' in q) {
      // The controller can be briefly unreachable on a busy cluster: retry a few times.
      if (++errors >= 10) throw new Error(`squeue failed ${errors} times in a row following job ${jobId}: ${q.error}`);
      options.log(`squeue: ${q.error} (retrying)`);
    } else {
      errors = 0;
      for (const [i, s] of q.states) seen.set(i, s);
      const running = indices.filter((i) => q.states.has(i) && !TERMINAL_STATES.has(q.states.get(i)!));
      for (const i of indices) {
        if (running.includes(i) || ended.has(i)) continue;
        ended.add(i);
        const run = plan.runs[i];
        const state = q.states.get(i) ?? 'left the queue';
        const where = `[${ended.size}/${indices.length}] ${run.id}`;
        if (runState(runDir(studyDir, run)) === 'done') options.log(`${where}: finished`);
        else options.log(`${where}: ${state}, unfinished; see ${taskLog(studyDir, jobId, i)}`);
      }
      if (running.length === 0) return { seen, interrupted: false };
      const counts = countStates(running.map((i) => q.states.get(i)!));
      if (counts !== lastCounts) options.log(`job ${jobId}: ${counts}`);
      lastCounts = counts;
    }
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
    } catch {
      return { seen, interrupted: true };
    }
    if (options.signal?.aborted === true) return { seen, interrupted: true };
  }
}

/** `2 running, 5 pending`, from task states. */
function countStates(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.toLowerCase(), (counts.get(s.toLowerCase()) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

/** Each task's accounting record, or null (with the reason) when the cluster keeps no accounting. */
async function accounting(jobId: string): Promise<{ records: Map<number, AccountingRecord> } | { unavailable: string }> {
  const r = await slurmCommand('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${jobId}`, '--format=JobID,State,ExitCode']);
  if (r.code !== 0) return { unavailable: firstLine(r.stderr) };
  return { records: parseSacct(r.stdout, jobId) };
}

/**
 * Runs the unfinished runs of `plan` as a Slurm job array and waits for it. A dry run writes the
 * script and prints how to submit it. Errors (sbatch missing, or rejecting the script) name the
 * cause; a failed task is not an error but an entry of `failed`.
 */
export async function runSlurm(studyDir: string, plan: StudyPlan, options: SlurmRunOptions): Promise<SlurmResult> {
  const log = options.log;
  const skipped = plan.runs.length - unfinishedIndices(studyDir, plan).length;
  const nothing: SlurmResult = { jobId: null, tasks: 0, finished: 0, skipped, failed: [], statesFrom: null };
  if (skipped === plan.runs.length) {
    log(`all ${plan.runs.length} runs of ${plan.study} are finished; nothing to submit`);
    return nothing;
  }
  const queued = options.dryRun === true ? null : await arrayInQueue(studyDir);
  let jobId: string;
  let indices: number[];
  if (queued !== null) {
    // Its tasks cover every run unfinished now (finished ones only grow), so submitting again would run some twice.
    jobId = queued;
    indices = unfinishedIndices(studyDir, plan);
    log(`job ${jobId} of this study is still in the queue: following it instead of submitting another`);
  } else {
    const written = writeSlurmScript(studyDir, plan, options);
    indices = written.indices;
    const what = `${indices.length} of ${plan.runs.length} runs${skipped > 0 ? ` (${skipped} finished before)` : ''}`;
    if (options.dryRun === true) {
      log(`dry run: wrote ${written.script}, a job array of ${what}`);
      log(`submit it with: sbatch ${written.script}`);
      log(`task logs go to ${path.resolve(studyDir, SLURM_LOGS)}; run the same command again (without --dry-run) to submit and follow it`);
      return { ...nothing, tasks: indices.length };
    }
    jobId = await submit(studyDir, written.script);
    log(`submitted job array ${jobId}: ${what}${options.maxParallel === undefined ? '' : `, at most ${options.maxParallel} at once`}; task logs in ${path.resolve(studyDir, SLURM_LOGS)}`);
  }

  const { seen, interrupted } = await follow(studyDir, plan, jobId, indices, options);
  if (interrupted) {
    log(`stopped following job ${jobId}; its tasks keep running on the cluster (scancel ${jobId} stops them). Run the same command again to follow it.`);
    const finished = indices.filter((i) => runState(runDir(studyDir, plan.runs[i])) === 'done').length;
    return { jobId, tasks: indices.length, finished, skipped, failed: [], statesFrom: null, interrupted: true };
  }

  const acct = await accounting(jobId);
  const statesFrom = 'records' in acct ? 'sacct' : 'run directories';
  log('records' in acct ? `task states from sacct` : `sacct unavailable (${acct.unavailable}): task states from the run directories (summary.json)`);
  const failed: SlurmFailure[] = [];
  let finished = 0;
  for (const i of indices) {
    const run = plan.runs[i];
    const dir = runDir(studyDir, run);
    // The run directory decides whether a run finished; the scheduler's record says why one did not.
    if (runState(dir) === 'done') {
      finished++;
      continue;
    }
    const record = 'records' in acct ? acct.records.get(i) : undefined;
    failed.push({
      index: i,
      id: run.id,
      state: record?.state ?? seen.get(i) ?? 'UNKNOWN',
      exitCode: record?.exitCode ?? null,
      log: taskLog(studyDir, jobId, i),
      runLog: path.resolve(dir, RUN_LOG),
    });
  }
  for (const f of failed) {
    const exit = f.exitCode === null ? '' : `, exit ${f.exitCode}`;
    // A task whose run another executor holds (src/ablate/execute.ts locks runs) leaves it alone.
    const lock = `${path.dirname(f.runLog)}.lock`;
    const held = existsSync(lock) ? `; another executor holds ${lock}` : '';
    log(`FAILED ${f.id} (task ${f.index}): ${f.state}${exit}, no summary.json${held}; see ${f.log} and ${f.runLog}`);
  }
  log(`job ${jobId}: ${finished} of ${indices.length} tasks finished${failed.length > 0 ? `, ${failed.length} failed; run the same command again to resubmit them` : ''}`);
  return { jobId, tasks: indices.length, finished, skipped, failed, statesFrom };
}
