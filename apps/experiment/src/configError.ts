/** A configuration problem the user can fix (exit code 2): the message names the flag, file and field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
