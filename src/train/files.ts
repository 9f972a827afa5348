/**
 * File helpers of the run directory: every file is written to a temporary name in the same
 * directory and renamed over the target, so a crash leaves the old file or the new one, never a
 * half-written one; and a small CSV table kept in memory and written whole.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';

export { tempName, writeFileAtomic } from '../atomic-file.js';

/** JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads and parses a JSON file; errors name the file and what is wrong. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what} ${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? (e as Error).message})`}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * A CSV table with a `step` column, held in memory and written whole. Columns are the fixed ones
 * followed by extra ones (learner metrics) in sorted order, added as they first appear.
 */
export class CsvTable {
  private readonly fixed: readonly string[];
  private extra: string[] = [];
  private rows: Record<string, string>[] = [];

  constructor(fixed: readonly string[]) {
    this.fixed = fixed;
  }

  get columns(): string[] {
    return [...this.fixed, ...this.extra];
  }

  get length(): number {
    return this.rows.length;
  }

  /** Adds columns (kept sorted after the fixed ones). */
  addColumns(names: Iterable<string>): void {
    const set = new Set(this.extra);
    for (const n of names) if (!this.fixed.includes(n)) set.add(n);
    this.extra = [...set].sort();
  }

  /** Appends a row; numbers are written in full (shortest round-trip form), missing cells empty. */
  push(row: Record<string, number | string | null | undefined>): void {
    this.addColumns(Object.keys(row));
    const cells: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) cells[k] = formatCell(v);
    this.rows.push(cells);
  }

  /** Takes `other`'s rows, with exactly `extra` as the extra columns (cells of others are dropped on output). */
  adopt(other: CsvTable, extra: readonly string[]): void {
    this.rows = [...other.rows];
    this.extra = [...new Set(extra)].filter((c) => !this.fixed.includes(c)).sort();
  }

  toString(): string {
    const cols = this.columns;
    const lines = [cols.join(','), ...this.rows.map((r) => cols.map((c) => r[c] ?? '').join(','))];
    return `${lines.join('\n')}\n`;
  }

  /**
   * Reads a table written by {@link CsvTable.toString}, keeping the rows whose step `keep`
   * accepts (a resumed run drops what was logged after its checkpoint).
   */
  static read(file: string, fixed: readonly string[], keep: (step: number) => boolean): CsvTable {
    const table = new CsvTable(fixed);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return table;
      throw new Error(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (lines.length === 0) return table;
    const header = lines[0].split(',');
    const missing = fixed.filter((c) => !header.includes(c));
    if (missing.length > 0) throw new Error(`${file}: header lacks column(s) ${missing.join(', ')}; is it a file of this run?`);
    table.addColumns(header);
    for (let i = 1; i < lines.length; i++) {
      const cells = lines[i].split(',');
      if (cells.length !== header.length) throw new Error(`${file}: line ${i + 1} has ${cells.length} cells, the header has ${header.length}`);
      const row = Object.fromEntries(header.map((h, j) => [h, cells[j]]));
      const step = Number(row.step);
      if (!Number.isInteger(step)) throw new Error(`${file}: line ${i + 1}: step '${row.step}' is not an integer`);
      if (keep(step)) table.rows.push(row);
    }
    return table;
  }
}

function formatCell(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  if (/[,\n"]/.test(v)) throw new Error(`CSV cell ${JSON.stringify(v)} contains a comma, quote or newline`);
  return v;
}
