/**
 * The ablation studies from a checkout: the same as `imitate ablate` (src/commands/ablate.ts),
 * which plans the study, runs it (local process pool or Slurm) and writes its report.
 *
 *   npx tsx scripts/ablate.ts --study gp-zeta --profile quick --workers 4
 *   npx tsx scripts/ablate.ts --study nogp --profile paper --executor slurm --dry-run
 *
 * Each run is a child `imitate gail` process of the built package (bin/imitate.js over dist/), so
 * build first (`npm run build`; `npm ci` does it).
 */
import { main } from '../src/cli.js';

process.exitCode = await main([process.argv[0], 'imitate', 'ablate', ...process.argv.slice(2)]);
