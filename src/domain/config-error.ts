/**
 * A setting from the environment that cannot be used: missing, malformed or misspelt.
 * The message names the variable and what it must be (never a value that may be a
 * secret); retrying cannot help. Each reader throws a subclass of its own
 * (WorkerConfigError, NotifyConfigError, PlatformConfigError), which callers catch by
 * class: one shape, three names.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The environment variable to fix, when there is one. */
    readonly variable?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
