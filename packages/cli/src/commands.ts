import type { Command } from './command.js';
import { keysList, keysRotate } from './commands/keys.js';
import { merchantCreate } from './commands/merchant-create.js';
import { serve } from './commands/serve.js';

/** Every subcommand; a new one (e.g. `analyze`) is a module in commands/ and a line here. */
export const COMMANDS: Command[] = [serve, merchantCreate, keysRotate, keysList];
