import { parseArgs } from 'node:util';
import { FileKeyStore, resolveDataLocation } from '@facepay/server';
import type { Command } from '../command.js';

const USAGE_DATA = '  --data DIR             data directory holding keys/ (default $FACEPAY_DATA_DIR or .facepay-data)';

export const keysRotate: Command = {
  name: ['keys', 'rotate'],
  summary: 'add a new signing key; the old one stays in the JWKS until its tokens expired',
  usage: `facepay keys rotate [--data DIR]
${USAGE_DATA}
A running server picks the new key up within a second. Prints the new key as JSON.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' } }, strict: true });
    const keys = await FileKeyStore.open(resolveDataLocation({ dataDir: values.data }).dataDir);
    process.stdout.write(`${JSON.stringify(await keys.rotate(), null, 2)}\n`);
    return 0;
  },
};

export const keysList: Command = {
  name: ['keys', 'list'],
  summary: 'list the signing keys and whether each signs, is published, or expired',
  usage: `facepay keys list [--data DIR]
${USAGE_DATA}`,
  async run(args) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' } }, strict: true });
    const keys = await FileKeyStore.open(resolveDataLocation({ dataDir: values.data }).dataDir, { create: false });
    process.stdout.write(`${JSON.stringify(keys.list(), null, 2)}\n`);
    return 0;
  },
};
