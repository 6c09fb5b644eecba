#!/usr/bin/env node
import { FacePayError } from '@facepay/protocol';
import { UsageError, type Command } from './command.js';
import { COMMANDS } from './commands.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.join(' ').length));
  return `Usage: facepay <command> [options]   (facepay <command> --help for its options)\n\n${COMMANDS.map(
    (command) => `  ${command.name.join(' ').padEnd(width)}  ${command.summary}`,
  ).join('\n')}\n`;
}

/** The command whose name the arguments start with (longest match), and the rest. */
function find(args: string[]): { command: Command; rest: string[] } | undefined {
  const matches = COMMANDS.filter((command) => command.name.every((word, i) => args[i] === word));
  const command = matches.sort((a, b) => b.name.length - a.name.length)[0];
  return command && { command, rest: args.slice(command.name.length) };
}

async function main(args: string[]): Promise<number> {
  const found = find(args);
  if (!found) {
    const asked = args.length === 0 || args[0] === '--help' || args[0] === '-h';
    (asked ? process.stdout : process.stderr).write(help());
    return asked ? 0 : 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // parseArgs reports unknown or malformed options with these codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`facepay ${command.name.join(' ')}: ${(error as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    // Configuration and the system (a port in use, an unreachable Redis) are the user's to
    // fix: their message is enough. Anything else is a bug and keeps its stack.
    const systemError = typeof (error as { syscall?: unknown }).syscall === 'string';
    if (error instanceof FacePayError || systemError) {
      process.stderr.write(`facepay ${command.name.join(' ')}: ${code || 'error'}: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
