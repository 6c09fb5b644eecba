import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '@facepay/testkit';

export interface BenchOptions {
  /** Tiny counts: proves the bench runs; the figures mean nothing. */
  quick: boolean;
  /** Frames per inference comparison (after the warm-up). */
  samples: number;
  /** Frames run and thrown away first, so one-off costs (graph set-up, caches) are not timed. */
  warmup: number;
  /** Length of each real-time run (camera → worker loop, element check), in seconds. */
  seconds: number;
  /** Cold and warm start-up pairs, each in a fresh browser profile. */
  visits: number;
  /** The camera clip for the vision figures: a name `resolveClip` knows, or a .y4m/.mjpeg path. */
  clip: string;
  /** A presentation-attack clip for the liveness outputs beside the peer's. */
  attackClip: string;
  /** Only these section ids; all when undefined. */
  only?: string[];
  out: string;
}

const FULL = { samples: 100, warmup: 10, seconds: 10, visits: 5 };
/** For the smoke test: every code path, minimal samples, figures meaningless (and the server section loads 100 sessions, not 3000). */
const QUICK = { samples: 4, warmup: 2, seconds: 2, visits: 1 };

export const USAGE = `pnpm bench [options]
  --quick              tiny sample counts: checks the bench runs, figures mean nothing
  --samples N          frames per inference comparison (default ${FULL.samples})
  --warmup N           frames run before timing (default ${FULL.warmup})
  --seconds S          length of each real-time run (default ${FULL.seconds})
  --visits N           cold/warm start-up pairs (default ${FULL.visits})
  --clip NAME|PATH     camera clip: portrait (default), photo, or a .y4m/.mjpeg file
  --attack-clip NAME   attack clip for the liveness outputs (default photo)
  --only a,b           run only these sections
  --out FILE           results file (default bench/results.json)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      samples: { type: 'string' },
      warmup: { type: 'string' },
      seconds: { type: 'string' },
      visits: { type: 'string' },
      clip: { type: 'string', default: 'portrait' },
      'attack-clip': { type: 'string', default: 'photo' },
      only: { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results.json') },
    },
    strict: true,
  });
  const base = values.quick ? QUICK : FULL;
  const count = (name: keyof typeof FULL, raw: string | undefined, min: number): number => {
    if (raw === undefined) return base[name];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new TypeError(`--${name} takes an integer ≥ ${min}, got ${raw}`);
    return n;
  };
  return {
    quick: values.quick,
    samples: count('samples', values.samples, 1),
    warmup: count('warmup', values.warmup, 0),
    seconds: count('seconds', values.seconds, 1),
    visits: count('visits', values.visits, 1),
    clip: values.clip,
    attackClip: values['attack-clip'],
    only: values.only?.split(',').map((id) => id.trim()).filter(Boolean),
    out: values.out,
  };
}
