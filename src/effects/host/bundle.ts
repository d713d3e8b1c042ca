/**
 * Flux on a host is Flux's own bundle (dist/bin: self-contained ES modules,
 * no node_modules), copied into `<dir>/flux/<id>` once per build: `<id>` is
 * a hash of its files, so two versions never mix and a copy cut short is
 * never used (it is unpacked beside, then renamed into place).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ExternalError } from '../../errors.js';
import { streamOnHost, type HostTarget } from './call.js';

const ids = new Map<string, string>();

/** The build's id: 12 hex of a hash over its files' names and contents. */
export function bundleId(distBin: string): string {
  const known = ids.get(distBin);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.js'))
        hash.update(path.relative(distBin, file)).update('\0').update(readFileSync(file));
    }
  };
  walk(distBin);
  const id = hash.digest('hex').slice(0, 12);
  ids.set(distBin, id);
  return id;
}

const UNPACK = [
  'set -e',
  'rm -rf -- "$1.part"',
  'mkdir -p -- "$1.part"',
  'tar -xf - -C "$1.part"',
  `printf '{"type":"module"}\\n' > "$1.part/package.json"`,
  'rm -rf -- "$1"',
  'mv -- "$1.part" "$1"',
].join('\n');

/** Copies the bundle to `dest` on the host (prepareHost found it is not there). */
export async function deployBundle(host: HostTarget, distBin: string, dest: string): Promise<void> {
  const tar = spawn('tar', ['-cf', '-', '-C', distBin, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarError = '';
  tar.stderr.setEncoding('utf8').on('data', (chunk: string) => (tarError += chunk));
  const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  const result = await streamOnHost(host, ['sh', '-c', UNPACK, 'flux-bundle', dest], { input: tar.stdout });
  if ((await tarDone) !== 0) throw new ExternalError(`could not pack ${distBin}: ${tarError.trim()}`);
  if (result.exitCode !== 0)
    throw new ExternalError(
      `could not copy Flux to ${host.name}:${dest} (exit ${result.exitCode})`,
      'check that dir in its [hosts] table is writable and tar is installed there (`flux doctor`)',
    );
}
