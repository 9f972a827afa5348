/** `imitate info`: the backend in use, versions, SIMD and threads. */
import { initBackend } from '../backend.js';

export async function infoCommand(opts: { json?: boolean }, out: (line: string) => void): Promise<void> {
  const info = await initBackend();
  if (opts.json === true) {
    out(JSON.stringify(info, null, 2));
    return;
  }
  out(`backend:  ${info.choice} (tfjs '${info.tfBackend}'; ${info.reason})`);
  for (const s of info.skipped) out(`skipped:  ${s.choice}: ${s.why}`);
  if (info.simd !== undefined) out(`simd:     ${info.simd ? 'yes' : 'no'}`);
  if (info.threads !== undefined) out(`threads:  ${info.threads}`);
  for (const [k, v] of Object.entries(info.versions)) out(`${`${k}:`.padEnd(10)}${v}`);
}
