import type { Command } from './command.js';
import { analyze } from './commands/analyze.js';
import { keysList, keysRotate } from './commands/keys.js';
import { merchantCreate } from './commands/merchant-create.js';
import { serve } from './commands/serve.js';

/** Every subcommand; a new one is a module in commands/ and a line here. */
export const COMMANDS: Command[] = [analyze, serve, merchantCreate, keysRotate, keysList];
