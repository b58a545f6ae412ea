/**
 * A bad flag, value or configuration file that the user can fix: a command prints its message and exits with
 * code 2, before any work. The message names the flag, file or field and says what to give instead.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
