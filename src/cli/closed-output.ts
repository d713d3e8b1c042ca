/**
 * A reader that stops early (`flux replay | head -1`) closes the pipe while
 * Flux still writes to it. Node ignores SIGPIPE, so the write fails with
 * EPIPE instead, which would surface as an unhandled 'error' event and a
 * stack trace. Handled once, here, for every command: end at once, quietly,
 * with the given code (141 = 128 + SIGPIPE for the CLI, as a shell reports
 * any Unix tool cut off this way; 0 for the hooks, which never fail).
 */
export function endQuietlyWhenOutputCloses(exitCode: number): void {
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') process.exit(exitCode);
    throw error;
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
