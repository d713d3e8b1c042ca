/**
 * Many processes appending at once, as the monitor and the hooks of several
 * agents do: no line lost or interleaved, seq contiguous, each process's
 * events in its own order, and every transact decided on the latest state.
 * The workers run the compiled code (`npm test` builds first).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../src/log/events.js';
import { readLog } from '../../src/log/read.js';
import { tempWorkDir } from './log-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const worker = path.join(here, 'append-worker.mjs');

/**
 * These tests are about serialisation, which fsync does not take part in; on
 * a shared disk its latency would make their time depend on other I/O, so
 * they run in memory where there is a tmpfs.
 */
const memoryDir = fs.existsSync('/dev/shm') ? '/dev/shm' : undefined;

/** Builds dist/ when a compiled log module is missing or older than its source. */
function ensureBuilt(): void {
  const sources = fs.readdirSync(path.join(root, 'src/log')).filter((name) => name.endsWith('.ts'));
  const stale = sources.some((name) => {
    const built = path.join(root, 'dist/log', name.replace(/\.ts$/, '.js'));
    return (
      !fs.existsSync(built) ||
      fs.statSync(built).mtimeMs < fs.statSync(path.join(root, 'src/log', name)).mtimeMs
    );
  });
  if (!stale) return;
  // Errors elsewhere in the tree do not stop tsc from emitting src/log.
  spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
    },
  );
}

/** Starts the workers, waits until each is ready, then releases them together. */
async function runWorkers(mode: 'append' | 'transact', workDir: string, workers: number, count: number) {
  const children: ChildProcess[] = [];
  const exits: Promise<{ code: number | null; stderr: string }>[] = [];
  const ready: Promise<void>[] = [];
  for (let id = 0; id < workers; id += 1) {
    const child = spawn(process.execPath, [worker, mode, workDir, String(id), String(count)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    ready.push(new Promise((resolve) => child.stdout?.once('data', () => resolve())));
    exits.push(new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))));
    children.push(child);
  }
  await Promise.all(ready);
  const started = performance.now();
  for (const child of children) child.stdin?.end('go\n');
  const results = await Promise.all(exits);
  const seconds = (performance.now() - started) / 1000;
  expect(results.filter((r) => r.code !== 0)).toEqual([]);
  return seconds;
}

function blockedEvents(logPath: string): EventOf<'stage.blocked'>[] {
  // readLog itself checks every line against its schema and seq = line number.
  const { events, torn } = readLog(logPath);
  expect(torn).toBeNull();
  return events.filter((e): e is EventOf<'stage.blocked'> => e.type === 'stage.blocked');
}

describe('concurrent appends', () => {
  beforeAll(() => {
    ensureBuilt();
    execFileSync(process.execPath, [
      '-e',
      `import(${JSON.stringify(path.join(root, 'dist/log/append.js'))})`,
    ]);
  });

  it('16 processes × 500 appends: 8,000 whole lines, seq 1..8000, each process in order', async () => {
    const { workDir, logPath } = tempWorkDir(memoryDir);
    // A lock left by a dead process: the workers must break it once, safely, all at once.
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    fs.writeFileSync(
      path.join(workDir, 'events.lock'),
      `${dead} ${os.hostname()} ${new Date().toISOString()}\n`,
    );

    const seconds = await runWorkers('append', workDir, 16, 500);
    console.info(`16 × 500 appends took ${seconds.toFixed(1)} s`);

    const text = fs.readFileSync(logPath, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(8001);
    const events = blockedEvents(logPath);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 8000 }, (_, i) => i + 1));
    for (let id = 0; id < 16; id += 1) {
      const mine = events.filter((e) => e.stage === `w${id}`).map((e) => Number(e.reason));
      expect(mine).toEqual(Array.from({ length: 500 }, (_, i) => i));
    }
    expect(fs.readdirSync(workDir)).toEqual(['events.jsonl']);
  });

  it('8 processes × 100 transacts: every decision saw every event before it', async () => {
    const { workDir, logPath } = tempWorkDir(memoryDir);
    const seconds = await runWorkers('transact', workDir, 8, 100);
    console.info(`8 × 100 transacts took ${seconds.toFixed(1)} s`);
    const events = blockedEvents(logPath);
    expect(events).toHaveLength(800);
    expect(events.map((e) => Number(e.reason))).toEqual(events.map((e) => e.seq - 1));
    for (let id = 0; id < 8; id += 1) expect(events.filter((e) => e.stage === `w${id}`)).toHaveLength(100);
  });
});
