/** `imitate info`: the backend in use, versions, SIMD and threads. */
import { initBackend } from '../backend.js';
import { upkeepRunsInBackground } from '../native-optim.js';

export async function infoCommand(opts: { json?: boolean }, out: (line: string) => void): Promise<void> {
  const info = await initBackend();
  if (opts.json === true) {
    out(JSON.stringify(info, null, 2));
    return;
  }
  const line = (key: string, value: string) => out(`${`${key}:`.padEnd(20)}${value}`);
  line('backend', `${info.choice} (tfjs '${info.tfBackend}'; ${info.reason})`);
  for (const s of info.skipped) line('skipped', `${s.choice}: ${s.why}`);
  if (info.simd !== undefined) line('simd', info.simd ? 'yes' : 'no');
  if (info.threads !== undefined) line('threads', String(info.threads));
  if (info.nativeBlas !== undefined) {
    const nb = info.nativeBlas;
    line('native blas', nb.active ? `active (${nb.library}, ${nb.threads} thread${nb.threads === 1 ? '' : 's'}${nb.optimThreads !== undefined ? `, optimizer steps on ${nb.optimThreads}${upkeepRunsInBackground() ? ' + SOAP upkeep in the background' : ''}` : ''}; ${nb.path})` : `off (${nb.reason})`);
  }
  for (const [k, v] of Object.entries(info.versions)) line(k, v);
}
