/**
 * Executes one run of a study plan in a child process (`node bin/imitate.js …`), whichever
 * executor calls it: a finished run (its summary.json exists) is skipped, an interrupted one with a
 * checkpoint continues from it (`imitate train --resume`), anything else starts afresh. Output goes
 * to `run.log` in the run directory.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { checkpointsDir, POINTER_FILE } from '../train/checkpoint.js';
import { readJsonFile } from '../train/files.js';
import { SUMMARY_FILE } from '../train/run-dir.js';
import { runDir, type RunPlan } from './plan.js';

export const RUN_LOG = 'run.log';

export type RunState = 'done' | 'resumable' | 'fresh';

/**
 * Where a run stands on disk. A summary means done unless the run was stopped by a signal (Ctrl-C
 * reaches the runs too): then it continues from its checkpoint like any interrupted run.
 */
export function runState(dir: string): RunState {
  const summary = path.join(dir, SUMMARY_FILE);
  if (existsSync(summary)) {
    const { stoppedBy } = readJsonFile(summary, 'run summary') as { stoppedBy?: string };
    if (stoppedBy !== 'signal') return 'done';
  }
  if (existsSync(path.join(checkpointsDir(dir), POINTER_FILE))) return 'resumable';
  return 'fresh';
}

/** The `imitate` arguments that bring the run in `dir` to completion from `state`. */
export function runArguments(run: RunPlan, dir: string, state: Exclude<RunState, 'done'>): string[] {
  return state === 'fresh' ? [...run.args, '--out', dir] : ['train', '--resume', dir, '--steps', `${run.steps}`, '--quiet'];
}

/** The `imitate` entry point of this installation. */
export function imitateBin(): string {
  const root = packageRoot();
  if (root === null) throw new Error('cannot find the imitate package root (its package.json) to start runs');
  return path.join(root, 'bin', 'imitate.js');
}

export interface RunOutcome {
  /** 'skipped': it was done already; 'busy': another executor is running it. */
  action: 'skipped' | 'busy' | 'started' | 'resumed';
  /** The child's exit code (0 when skipped); null when it was killed by a signal. */
  code: number | null;
  seconds: number;
}

export interface ExecuteOptions {
  /** Interrupts the child (SIGINT: it stops after its current step, as on Ctrl-C) when aborted. */
  signal?: AbortSignal;
  /** Extra environment for the child (e.g. IMITATE_BLAS_THREADS). */
  env?: Record<string, string>;
}

/**
 * Runs `run` to completion unless it is done. A fresh start clears what an earlier attempt left
 * without a checkpoint (it had nothing to keep); a finished run is never touched.
 */
export async function executeRun(studyDir: string, run: RunPlan, options: ExecuteOptions = {}): Promise<RunOutcome> {
  const dir = runDir(studyDir, run);
  if (runState(dir) === 'done') return { action: 'skipped', code: 0, seconds: 0 };
  const lock = takeRunLock(dir);
  if (lock === null) return { action: 'busy', code: 0, seconds: 0 };
  try {
    return await executeLocked(dir, run, options);
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * `<run dir>.lock`, created exclusively with this process's pid and host: several executors (two
 * pools, a pool and a Slurm array) can then work through one study without running a run twice.
 * A lock whose process is gone on this host is stale and taken over. Returns null when busy.
 */
function takeRunLock(dir: string): string | null {
  const file = `${dir}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname() }), { flag: 'wx' });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // being written right now, or torn: treat as held
        return null;
      }
      if (holder.host !== hostname() || holder.pid === undefined || processAlive(holder.pid)) return null;
      rmSync(file, { force: true });
    }
  }
  return null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function executeLocked(dir: string, run: RunPlan, options: ExecuteOptions): Promise<RunOutcome> {
  const state = runState(dir);
  if (state === 'done') return { action: 'skipped', code: 0, seconds: 0 };
  if (state === 'fresh' && existsSync(dir) && readdirSync(dir).length > 0) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const log = openSync(path.join(dir, RUN_LOG), 'a');
  const start = performance.now();
  try {
    const child = spawn(process.execPath, [imitateBin(), ...runArguments(run, dir, state)], {
      stdio: ['ignore', log, log],
      env: { ...process.env, IMITATE_BLAS_THREADS: '1', IMITATE_OPTIM_THREADS: '1', IMITATE_OPTIM_BACKGROUND: '0', ...options.env },
    });
    const onAbort = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    }).finally(() => options.signal?.removeEventListener('abort', onAbort));
    return { action: state === 'fresh' ? 'started' : 'resumed', code, seconds: (performance.now() - start) / 1000 };
  } finally {
    closeSync(log);
  }
}
