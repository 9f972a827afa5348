/**
 * `imitate demos inspect FILE [--env ID]`: loads demonstrations in any layout imitate reads
 * (checking them against the env when given) and prints a summary: layout, env, spaces, episodes,
 * lengths, returns, and each episode.
 */
import { episodeLength, totalSteps, type ReturnStats } from '../demos/episode.js';
import { loadDemos } from '../demos/load.js';
import { demoEnv } from '../demos/validate.js';
import { meanStd } from '../rollout.js';
import { spaceFromJSON } from '../spaces.js';

export interface DemosInspectOptions {
  env?: string;
  json?: boolean;
}

export async function demosInspectCommand(file: string, opts: DemosInspectOptions, out: (line: string) => void): Promise<void> {
  const env = opts.env === undefined ? undefined : demoEnv(opts.env);
  const { dataset, layout, files } = await loadDemos(file, { env });
  const m = dataset.metadata;
  const lengths = dataset.episodes.map(episodeLength);
  const ends = dataset.episodes.map((ep) => (ep.terminated.at(-1) === 1 ? 'terminated' : ep.truncated.at(-1) === 1 ? 'truncated' : 'cut'));
  if (opts.json === true) {
    out(
      JSON.stringify(
        {
          file,
          layout,
          files: files.length,
          ...m,
          obsDim: dataset.obsDim,
          actDim: dataset.actDim,
          episodes: dataset.episodes.length,
          steps: totalSteps(dataset),
          lengths,
          returns: dataset.episodes.map((ep) => ep.return),
          ends,
        },
        null,
        2,
      ),
    );
    return;
  }
  const space = (json: unknown) => (json === null ? 'unknown' : String(spaceFromJSON(json)));
  const len = meanStd(lengths);
  const rows: [string, string][] = [
    ['layout', `${layout}${files.length > 1 ? ` (${files.length} files)` : ''}`],
    ['env', m.envId ?? 'not recorded'],
    ['source', m.source === '' ? 'not recorded' : m.source],
    ['seed', m.seed === null ? 'not recorded' : String(m.seed)],
    ['observations', `${dataset.obsDim} values, space ${space(m.observationSpace)}`],
    ['actions', `${dataset.actDim} values, space ${space(m.actionSpace)}`],
    ['episodes', `${dataset.episodes.length} (${ends.filter((e) => e === 'terminated').length} terminated, ${ends.filter((e) => e !== 'terminated').length} truncated)`],
    ['steps', `${totalSteps(dataset)}; length ${len.mean.toFixed(1)} ± ${len.std.toFixed(1)} (min ${Math.min(...lengths)}, max ${Math.max(...lengths)})`],
    ['return', fmt(m.expertReturn)],
    ['random return', m.randomReturn === null ? 'not recorded' : fmt(m.randomReturn)],
  ];
  if (env !== undefined) rows.push(['checked against', `${env.id}: dimensions and action bounds fit`]);
  out(`${file}`);
  for (const [k, v] of rows) out(`  ${k.padEnd(16)}${v}`);
  dataset.episodes.forEach((ep, i) => {
    out(`  episode ${String(i).padStart(3)}  length ${String(lengths[i]).padStart(5)}  return ${ep.return.toFixed(3).padStart(11)}  ${ends[i]}`);
  });
}

function fmt(s: ReturnStats): string {
  return `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)} (min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)}, ${s.episodes} episodes)`;
}
