/**
 * Training progress for people: on a terminal, one line (bar, steps, steps/s, ETA, last eval
 * return) redrawn in place at most five times a second; elsewhere (a log file, CI) a plain line
 * per metrics row. Evaluations are printed as their own lines in both modes.
 */

/** Where the bar is drawn: a terminal stream (`process.stderr` when it is a TTY). */
export interface ProgressTerminal {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  /** Step target of the run. */
  total: number;
  /** Step the session starts from (after a resume), so the rate counts this session only. */
  start: number;
  /** Draw the bar here; without it, lines go to `log`. */
  terminal?: ProgressTerminal;
  log?: (line: string) => void;
  /** Print nothing at all. */
  quiet?: boolean;
}

/** What the loop reports at a metrics row. */
export interface ProgressRow {
  step: number;
  episodes: number;
  episodeReturn: number;
}

const REDRAW_MS = 200;

export class Progress {
  private readonly options: ProgressOptions;
  private readonly t0 = performance.now();
  private lastDraw = -Infinity;
  private lastEval: number | null = null;
  private drawn = false;

  constructor(options: ProgressOptions) {
    this.options = options;
  }

  /** Called every step; redraws the bar when enough time has passed. Cheap otherwise. */
  tick(step: number, force = false): void {
    const term = this.options.terminal;
    if (term === undefined || this.options.quiet === true) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < REDRAW_MS && step < this.options.total) return;
    this.lastDraw = now;
    const width = Math.max(20, (term.columns ?? 80) - 1);
    term.write(`\r${this.barLine(step, width).slice(0, width).padEnd(width)}`);
    this.drawn = true;
  }

  /** A metrics row: a plain line when there is no terminal. */
  row(row: ProgressRow): void {
    if (this.options.quiet === true || this.options.terminal !== undefined) return;
    const ret = Number.isNaN(row.episodeReturn) ? '–' : row.episodeReturn.toFixed(2);
    const evalText = this.lastEval === null ? '' : `  eval ${this.lastEval.toFixed(2)}`;
    this.options.log?.(`step ${row.step}/${this.options.total}  episodes ${row.episodes}  return ${ret}  ${this.rate(row.step).toFixed(0)} steps/s  ETA ${this.eta(row.step)}${evalText}`);
  }

  /** An evaluation result: remembered for the bar and printed as a line. */
  evaluation(step: number, mean: number, std: number, episodes: number): void {
    this.lastEval = mean;
    this.message(`eval at step ${step}: return ${mean.toFixed(2)} ± ${std.toFixed(2)} over ${episodes} episodes`);
  }

  /** A line of text, printed above the bar on a terminal. */
  message(text: string): void {
    if (this.options.quiet === true) return;
    const term = this.options.terminal;
    if (term !== undefined) {
      term.write(`${this.drawn ? '\r\x1b[2K' : ''}${text}\n`);
      this.drawn = false;
      this.lastDraw = -Infinity;
    } else {
      this.options.log?.(text);
    }
  }

  /** Draws the bar at the final step and ends its line. */
  finish(step: number): void {
    this.tick(step, true);
    if (this.drawn) this.options.terminal?.write('\n');
    this.drawn = false;
  }

  private rate(step: number): number {
    const seconds = (performance.now() - this.t0) / 1000;
    return seconds > 0 ? (step - this.options.start) / seconds : 0;
  }

  private eta(step: number): string {
    const rate = this.rate(step);
    return rate > 0 ? formatDuration((this.options.total - step) / rate) : '?';
  }

  private barLine(step: number, width: number): string {
    const { total } = this.options;
    const frac = Math.min(1, step / total);
    const text = ` ${step}/${total}  ${this.rate(step).toFixed(0)} steps/s  ETA ${this.eta(step)}${this.lastEval === null ? '' : `  eval ${this.lastEval.toFixed(1)}`}`;
    const barWidth = Math.max(10, Math.min(30, width - text.length - 2));
    const filled = Math.round(frac * barWidth);
    return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${text}`;
  }
}

/** `h:mm:ss` or `m:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
