/** `imitate envs`: the registered environments with their spaces and limits. */
import { make, registeredEnvs } from '../registry.js';

export function envsCommand(opts: { json?: boolean }, out: (line: string) => void): void {
  const rows = registeredEnvs().map((s) => {
    let obs = '?';
    let act = '?';
    try {
      const env = make(s.id);
      obs = env.observationSpace.toString();
      act = env.actionSpace.toString();
      env.close();
    } catch (e) {
      obs = `(cannot build: ${(e as Error).message.split('\n')[0]})`;
    }
    return { id: s.id, observationSpace: obs, actionSpace: act, maxEpisodeSteps: s.maxEpisodeSteps ?? null, rewardThreshold: s.rewardThreshold ?? null, description: s.description ?? '' };
  });
  if (opts.json === true) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    out('no environments registered');
    return;
  }
  for (const r of rows) {
    const limits = `max steps ${r.maxEpisodeSteps ?? 'none'}, threshold ${r.rewardThreshold ?? 'none'}`;
    out(`${r.id}${r.description ? ` — ${r.description}` : ''}`);
    out(`    observation ${r.observationSpace}`);
    out(`    action      ${r.actionSpace}`);
    out(`    ${limits}`);
  }
}
