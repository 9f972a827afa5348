/**
 * Fake Slurm client commands for tests without a cluster: `sbatch`, `squeue` and `sacct` as bash
 * scripts in a directory put first on PATH. The n-th call of a command runs the n-th bash snippet
 * given for it (the last one again once they run out) and records its working directory and
 * arguments, so a test scripts what the cluster answers and checks what was asked.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';

/** Tools the snippets may call besides bash's builtins. */
const TOOLS = ['cat', 'mkdir', 'touch', 'sleep', 'rm'];

export type FakeCommand = 'sbatch' | 'squeue' | 'sacct';

export interface FakeSlurm {
  /** The directory of the fake commands (first on PATH while the test runs). */
  bin: string;
  /** Each call of `cmd`: its working directory followed by its arguments. */
  calls(cmd: FakeCommand): string[][];
}

/** Installs fake commands answering with `snippets[cmd][n]` on call n; commands not given are absent. */
export function fakeSlurm(t: Test, snippets: Partial<Record<FakeCommand, readonly string[]>>): FakeSlurm {
  // Not t.testdir(): a test's testdir is its study directory, and calling it again would wipe it.
  const root = mkdtempSync(path.join(tmpdir(), 'fake-slurm-'));
  const bin = path.join(root, 'bin');
  const state = path.join(root, 'state');
  mkdirSync(bin, { recursive: true });
  mkdirSync(state, { recursive: true });
  for (const cmd of ['sbatch', 'squeue', 'sacct']) writeFileSync(path.join(state, `${cmd}.count`), '0');
  for (const [cmd, steps] of Object.entries(snippets) as [FakeCommand, readonly string[]][]) {
    steps.forEach((s, i) => writeFileSync(path.join(state, `${cmd}.${i + 1}.sh`), `${s}\n`));
    writeFileSync(
      path.join(bin, cmd),
      [
        '#!/bin/bash',
        `state=${JSON.stringify(state)}`,
        `n=$(( $(< "$state/${cmd}.count") + 1 ))`,
        `echo "$n" > "$state/${cmd}.count"`,
        `{ printf '%s\\0' "$PWD" "$@"; } > "$state/${cmd}.call.$n"`,
        `step="$state/${cmd}.$n.sh"`,
        `[ -e "$step" ] || step="$state/${cmd}.${steps.length}.sh"`,
        'source "$step"',
        '',
      ].join('\n'),
    );
    chmodSync(path.join(bin, cmd), 0o755);
  }
  // The real Slurm commands (installed on a CI runner) must stay hidden, so PATH holds the fakes and
  // links to the few tools the snippets use, nothing else.
  const tools = path.join(root, 'tools');
  mkdirSync(tools, { recursive: true });
  for (const tool of TOOLS) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((f) => existsSync(f));
    if (found !== undefined) symlinkSync(found, path.join(tools, tool));
  }
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${tools}`;
  t.teardown(() => {
    process.env.PATH = saved;
    rmSync(root, { recursive: true, force: true });
  });
  return {
    bin,
    calls: (cmd) => {
      const files = existsSync(state) ? readdirSync(state).filter((f) => f.startsWith(`${cmd}.call.`)) : [];
      return files
        .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
        .map((f) => readFileSync(path.join(state, f), 'utf8').split('\0').slice(0, -1));
    },
  };
}
