#!/usr/bin/env node
// Runs the built simulated agent as its own process, as `flux agent sim` does.
// Usage: node run-sim.mjs <script.json> <prompt-file>
import { runSimAgent } from '../../../dist/agents/sim/main.js';

const [script, promptFile] = process.argv.slice(2);
process.exitCode = await runSimAgent({ script, promptFile });
