/** Runs `imitate ARGS…` in this process (src/cli.ts's main) and collects its exit code and output lines. */
import { main } from '../../src/cli.js';

export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'imitate', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
