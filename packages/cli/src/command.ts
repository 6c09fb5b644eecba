/** One subcommand: `facepay <name…> [options]`. */
export interface Command {
  /** The words that select it, e.g. `['keys', 'rotate']`. */
  name: string[];
  /** One line for `facepay --help`. */
  summary: string;
  /** Options, as shown by `facepay <name> --help`. */
  usage: string;
  /** Runs with the arguments after the name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** Wrong arguments: the message and the command's usage go to stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
