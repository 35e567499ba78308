/** Errors the CLI reports as one clear line (no stack) with a distinct exit code. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
