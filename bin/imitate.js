#!/usr/bin/env node
// Entry point of the `imitate` command: registers the built-in environments and algorithms, then
// runs the CLI. It loads the compiled package (dist/, built by `npm ci` through the prepare script).
import '../dist/envs/index.js';
import '../dist/agents/index.js';
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv);
