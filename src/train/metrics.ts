/**
 * What the loop logs: recent episode returns, the learner's update metrics averaged over each
 * log interval, and the two CSV files built from them. Everything that affects a future row is
 * part of the checkpoint ({@link RunStats.snapshot}), so a resumed run writes the same rows as an
 * uninterrupted one (wall-clock columns aside).
 */
import path from 'node:path';
import type { UpdateMetrics } from '../learner.js';
import type { EvalResult, LoopState } from './checkpoint.js';
import { CsvTable, writeFileAtomic } from './files.js';
import { EVAL_FILE, METRICS_FILE } from './run-dir.js';

/** Fixed columns of metrics.csv; the learner's metrics follow, sorted by name. */
export const METRICS_COLUMNS = ['step', 'episodes', 'updates', 'ep_return_mean', 'ep_length_mean', 'steps_per_s', 'time_s'] as const;
/** Columns that depend on wall-clock time (differ between otherwise identical runs). */
export const TIMING_COLUMNS = ['steps_per_s', 'time_s'] as const;
export const EVAL_COLUMNS = ['step', 'return_mean', 'return_std', 'return_min', 'return_max', 'length_mean'] as const;

/** Episodes averaged in `ep_return_mean` (SB3's ep_info_buffer). */
export const RECENT_EPISODES = 100;
/** The CSV files are rewritten at most this often, besides at checkpoints and at the end. */
const FLUSH_INTERVAL_MS = 2000;

type StatsState = Pick<LoopState, 'recentReturns' | 'recentLengths' | 'metricSums' | 'metricCounts' | 'metricKeys'>;

export class RunStats {
  readonly metrics = new CsvTable(METRICS_COLUMNS);
  readonly evals = new CsvTable(EVAL_COLUMNS);
  private recentReturns: number[] = [];
  private recentLengths: number[] = [];
  private sums: Record<string, number> = {};
  private counts: Record<string, number> = {};
  private readonly keys = new Set<string>();
  private lastFlush = -Infinity;

  /** A finished training episode. */
  episode(ret: number, length: number): void {
    this.recentReturns.push(ret);
    this.recentLengths.push(length);
    if (this.recentReturns.length > RECENT_EPISODES) {
      this.recentReturns.shift();
      this.recentLengths.shift();
    }
  }

  /** One update's metrics, accumulated until the next row. */
  update(m: UpdateMetrics): void {
    for (const [key, value] of Object.entries(m)) {
      const k = (METRICS_COLUMNS as readonly string[]).includes(key) ? `learner_${key}` : key;
      this.sums[k] = (this.sums[k] ?? 0) + value;
      this.counts[k] = (this.counts[k] ?? 0) + 1;
      if (!this.keys.has(k)) {
        this.keys.add(k);
        this.metrics.addColumns([k]);
      }
    }
  }

  /** Mean return of the recent episodes (NaN before the first one). */
  get recentReturn(): number {
    return mean(this.recentReturns);
  }

  /** Appends a metrics.csv row and starts a new interval. */
  logRow(row: { step: number; episodes: number; updates: number; stepsPerSecond: number; timeSeconds: number }): void {
    const learner: Record<string, number> = {};
    for (const k of Object.keys(this.sums)) learner[k] = this.sums[k] / this.counts[k];
    this.metrics.push({
      step: row.step,
      episodes: row.episodes,
      updates: row.updates,
      ep_return_mean: this.recentReturns.length > 0 ? this.recentReturn : null,
      ep_length_mean: this.recentLengths.length > 0 ? mean(this.recentLengths) : null,
      steps_per_s: Math.round(row.stepsPerSecond * 10) / 10,
      time_s: Math.round(row.timeSeconds * 1000) / 1000,
      ...learner,
    });
    this.sums = {};
    this.counts = {};
  }

  /** Appends an eval.csv row; `extra` adds columns (e.g. a training extension's normalized score). */
  evalRow(r: EvalResult, extra: Record<string, number> = {}): void {
    this.evals.push({ step: r.step, return_mean: r.returnMean, return_std: r.returnStd, return_min: r.returnMin, return_max: r.returnMax, length_mean: r.lengthMean, ...extra });
  }

  /** Rewrites both CSV files (atomically) if the last write is old enough, or always with `force`. */
  flush(runDir: string, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastFlush < FLUSH_INTERVAL_MS) return;
    this.lastFlush = now;
    writeFileAtomic(path.join(runDir, METRICS_FILE), this.metrics.toString());
    writeFileAtomic(path.join(runDir, EVAL_FILE), this.evals.toString());
  }

  /** The part of the checkpoint's loop state this class owns. */
  snapshot(): StatsState {
    return {
      recentReturns: [...this.recentReturns],
      recentLengths: [...this.recentLengths],
      metricSums: { ...this.sums },
      metricCounts: { ...this.counts },
      metricKeys: [...this.keys].sort(),
    };
  }

  /**
   * Restores a checkpoint's statistics and the CSV rows logged up to it: `keepRow(step)` says
   * which of the files' rows an uninterrupted run would have at that point.
   */
  static restore(state: StatsState, runDir: string, keepMetrics: (step: number) => boolean, keepEval: (step: number) => boolean): RunStats {
    const stats = new RunStats();
    stats.recentReturns = [...state.recentReturns];
    stats.recentLengths = [...state.recentLengths];
    stats.sums = { ...state.metricSums };
    stats.counts = { ...state.metricCounts };
    for (const k of state.metricKeys) stats.keys.add(k);
    const metrics = CsvTable.read(path.join(runDir, METRICS_FILE), METRICS_COLUMNS, keepMetrics);
    const evals = CsvTable.read(path.join(runDir, EVAL_FILE), EVAL_COLUMNS, keepEval);
    stats.metrics.adopt(metrics, state.metricKeys);
    stats.evals.adopt(evals, evals.columns.filter((c) => !(EVAL_COLUMNS as readonly string[]).includes(c)));
    return stats;
  }
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
