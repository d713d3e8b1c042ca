#!/usr/bin/env node
/**
 * The hook entry point that agent settings call (`node …/dist/bin/hook.js <Hook>`):
 * one self-contained file, so each call loads a single small module.
 * `flux hook <Hook>` does the same through the main entry.
 */
import { runHook } from '../hooks/run.js';
import { endQuietlyWhenOutputCloses } from './closed-output.js';

// Claude Code may stop reading an answer; a hook still never fails.
endQuietlyWhenOutputCloses(0);
process.exitCode = runHook(process.argv.slice(2));
