/**
 * A short suffix that keeps temporary file names of concurrent writers apart
 * (with the pid beside it). Not for secrets: it saves the hook path loading
 * node:crypto, which costs more than the rest of a hook call's file work.
 */
let counter = 0;

export function uniqueSuffix(): string {
  counter = (counter + 1) % 0x10000;
  return `${counter.toString(16)}${Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, '0')}`;
}
