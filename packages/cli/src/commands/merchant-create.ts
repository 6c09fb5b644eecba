import { parseArgs } from 'node:util';
import { createMerchant, openStore, resolveDataLocation, type MerchantLiveness } from '@facepay/server';
import { CHALLENGE_STEPS, MatchAssurance, type ChallengeStep } from '@facepay/protocol';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTIONS, DATA_USAGE } from '../data-options.js';

export const merchantCreate: Command = {
  name: ['merchant', 'create'],
  summary: 'add a merchant; prints { "id", "secret_key" } as JSON',
  usage: `facepay merchant create --name NAME --origin URL [--origin URL…] [options]
  --name NAME            the merchant's name
  --origin URL           an origin of its checkout pages (https; http only for localhost); repeatable
  --pool STEPS           challenge steps to draw from, e.g. blink,turn-left,turn-right,nod (default: all of
                         ${CHALLENGE_STEPS.join(', ')})
  --challenge-length N   steps per challenge (default: 2 or 3)
  --min-score X          lowest liveness score that counts as live, 0..1 (default: the engine's)
  --face-assurance MODE  what face match sessions send: features (default: templates only) or frames
                         (also small face crops, which the server embeds itself to catch forged templates)
${DATA_USAGE}
The secret key is printed once and stored only as its SHA-256.`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        name: { type: 'string' },
        origin: { type: 'string', multiple: true },
        pool: { type: 'string' },
        'challenge-length': { type: 'string' },
        'min-score': { type: 'string' },
        'face-assurance': { type: 'string' },
        ...DATA_OPTIONS,
      },
      strict: true,
    });
    if (!values.name) throw new UsageError('--name is required');
    if (!values.origin?.length) throw new UsageError('at least one --origin is required');
    const liveness: MerchantLiveness = {};
    if (values.pool !== undefined) liveness.pool = values.pool.split(',').map((step) => step.trim()) as ChallengeStep[];
    if (values['challenge-length'] !== undefined) liveness.length = Number(values['challenge-length']);
    if (values['min-score'] !== undefined) liveness.minScore = Number(values['min-score']);
    const faceAssurance = values['face-assurance'];
    const assurances: string[] = Object.values(MatchAssurance);
    if (faceAssurance !== undefined && !assurances.includes(faceAssurance)) throw new UsageError(`--face-assurance must be ${assurances.join(' or ')}`);
    const store = await openStore(resolveDataLocation({ dataDir: values.data, redisUrl: values.redis }));
    try {
      const created = await createMerchant(store, { name: values.name, origins: values.origin, liveness, ...(faceAssurance !== undefined && { faceAssurance: faceAssurance as MatchAssurance }) });
      process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    } catch (error) {
      // createMerchant reports unusable input as TypeError: that is the user's to fix.
      if (error instanceof TypeError) throw new UsageError(error.message);
      throw error;
    } finally {
      await store.close();
    }
    return 0;
  },
};
