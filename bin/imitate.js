#!/usr/bin/env node
// Entry point of the `imitate` command: registers the built-in environments and algorithms, then
// runs the CLI. It loads the compiled package (dist/, built by `npm ci` through the prepare script).
import { loadMujoco } from '../dist/envs/index.js';
import '../dist/agents/index.js';
import { main } from '../dist/src/cli.js';

// make() is synchronous, so the MuJoCo engine (wasm, ~0.1 s) is loaded before any command that
// may make an env; the commands that never do skip it.
const TRIVIAL = new Set([undefined, 'info', 'help', '--help', '-h', '--version', '-V']);
if (!TRIVIAL.has(process.argv[2])) await loadMujoco();

process.exitCode = await main(process.argv);
