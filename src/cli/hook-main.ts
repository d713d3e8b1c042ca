#!/usr/bin/env node
/**
 * The hook entry point that agent settings call (`node …/dist/bin/hook.js <Hook>`):
 * one self-contained file, so each call loads a single small module.
 * `flux hook <Hook>` does the same through the main entry.
 */
import { runHook } from '../hooks/run.js';

process.exitCode = runHook(process.argv.slice(2));
