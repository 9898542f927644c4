import type { ServerErrorKind } from '../server/client';

/** Exit codes every subcommand keeps to. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
/** Something outside the command failed: a server unreachable, refusing the request, timing out or erring. */
export const EXIT_EXTERNAL = 3;

/** What the user can do about a failed server request decides its exit code. */
export function exitCodeForServerError(kind: ServerErrorKind): number {
  // A bad request (a wrong name, filter or URL) is the caller's input; everything else is the server's side.
  return kind === 'invalid' || kind === 'not-found' || kind === 'unsupported' ? EXIT_USAGE : EXIT_EXTERNAL;
}

/** A failure the CLI reports as one line on stderr with its exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
