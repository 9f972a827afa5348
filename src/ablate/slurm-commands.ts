/**
 * The Slurm client commands the Slurm executor uses (sbatch, squeue, sacct), run as child
 * processes, and parsers of their machine-readable output. Kept apart from the executor so the
 * parsing can be tested against recorded output without a cluster.
 */
import { execFile } from 'node:child_process';

/** What a client command printed and how it exited. */
export interface CommandResult {
  /** Exit code; null when killed by a signal or when the command could not be run at all. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command is not installed (not on PATH). */
  missing?: true;
}

/** Runs `cmd args` (looked up on PATH) and collects its output; never rejects. */
export function slurmCommand(cmd: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve({ code: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { code?: string | number };
      if (e.code === 'ENOENT') return resolve({ code: null, stdout: '', stderr: `${cmd}: command not found on PATH`, missing: true });
      resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr: stderr === '' ? e.message : stderr });
    });
  });
}

/** The first non-empty line of a command's error output, for messages. */
export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '(no output)';
}

/** The job id `sbatch --parsable` prints: `1234` or `1234;cluster`. */
export function parseSbatchJobId(stdout: string): string {
  const m = /^(\d+)(;\S+)?$/.exec(stdout.trim());
  if (m === null) throw new Error(`sbatch --parsable printed ${JSON.stringify(stdout.trim())}, not a job id`);
  return m[1];
}

/** Job states after which a job never runs again (squeue's and sacct's names). */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'BOOT_FAIL', 'CANCELLED', 'COMPLETED', 'DEADLINE', 'FAILED', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'REVOKED', 'TIMEOUT',
]);

/**
 * The task ids of an array job's id field: `123_4` → [4]; `123_[0-2,5%2]` (pending tasks listed
 * together) → [0, 1, 2, 5]. Null for another job, or for a step (`123_4.batch`).
 */
export function arrayTaskIds(field: string, jobId: string): number[] | null {
  const prefix = `${jobId}_`;
  if (!field.startsWith(prefix)) return null;
  const rest = field.slice(prefix.length);
  if (/^\d+$/.test(rest)) return [Number(rest)];
  const m = /^\[([\d,-]+)(%\d+)?\]$/.exec(rest);
  if (m === null) return null;
  return m[1].split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, k) => a + k);
  });
}

/**
 * Parses `squeue --noheader --array --states=all --jobs=ID --format=%i|%T|%j`: each task's state,
 * by task id. Lines of other jobs are ignored; `name`, when given, must match the job name field
 * (a job id reused after the controller lost its state belongs to someone else).
 */
export function parseSqueue(stdout: string, jobId: string, name?: string): Map<number, string> {
  const states = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const [id, state, jobName] = line.trim().split('|');
    if (state === undefined) continue;
    if (name !== undefined && jobName !== undefined && jobName !== name) continue;
    for (const task of arrayTaskIds(id, jobId) ?? []) states.set(task, state);
  }
  return states;
}

/** One task's record in the accounting database. */
export interface AccountingRecord {
  /** The state's first word: `CANCELLED by 0` → `CANCELLED`. */
  state: string;
  /** The batch script's exit code; null when sacct has none. */
  exitCode: number | null;
  /** The signal that ended it, 0 when none. */
  signal: number;
}

/** Parses `sacct --noheader --parsable2 --allocations --jobs=ID --format=JobID,State,ExitCode`. */
export function parseSacct(stdout: string, jobId: string): Map<number, AccountingRecord> {
  const records = new Map<number, AccountingRecord>();
  for (const line of stdout.split('\n')) {
    const [id, state, exit] = line.trim().split('|');
    if (state === undefined) continue;
    const tasks = arrayTaskIds(id, jobId);
    if (tasks === null) continue;
    const m = /^(\d+):(\d+)$/.exec(exit ?? '');
    const record: AccountingRecord = { state: state.split(/\s+/)[0], exitCode: m === null ? null : Number(m[1]), signal: m === null ? 0 : Number(m[2]) };
    for (const task of tasks) records.set(task, record);
  }
  return records;
}
