import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import * as testkit from '@facepay/testkit';
import { FACES, ffmpegOnce, stillClip } from '@facepay/testkit';

/** A clip Chromium plays as its fake camera (it loops the file). */
export interface Clip {
  name: string;
  path: string;
  about: string;
}

const PORTRAIT = join(FACES, 'grace_hopper.jpg');

/**
 * A clip by name or path. Known names: `portrait` (a still frontal face, the default),
 * `photo` (the same face as a printed photo on a desk, a flat presentation attack). Other
 * names go to the generated clips of `@facepay/testkit` once it has them (`clipPath`),
 * so a live clip with real motion can replace the still one without touching the bench.
 */
export async function resolveClip(choice: string): Promise<Clip> {
  if (choice === 'portrait') {
    return { name: choice, path: await stillClip(PORTRAIT, 'grace_hopper'), about: 'still frontal portrait (grace_hopper.jpg), 640x480, 30 fps' };
  }
  if (choice === 'photo') {
    return { name: choice, path: await photoClip(), about: 'the portrait as a printed photo on a desk, tilted 4°, still, 640x480, 30 fps' };
  }
  if (/\.(y4m|mjpeg)$/i.test(choice) && existsSync(choice)) {
    return { name: basename(choice, extname(choice)), path: resolve(choice), about: `file ${resolve(choice)}` };
  }
  const generated = await generatedClip(choice);
  if (generated) return generated;
  throw new TypeError(`Unknown clip "${choice}": use portrait, photo, or a path to a .y4m/.mjpeg file`);
}

/** `@facepay/testkit`'s generated clips, when this checkout's testkit provides them. */
async function generatedClip(name: string): Promise<Clip | undefined> {
  const kit = testkit as Record<string, unknown>;
  if (typeof kit.clipPath !== 'function') return undefined;
  if (typeof kit.ensureClips === 'function') await (kit.ensureClips as () => Promise<unknown>)();
  const path: unknown = await (kit.clipPath as (name: string) => unknown)(name);
  return typeof path === 'string' && existsSync(path) ? { name, path, about: `@facepay/testkit clip "${name}"` } : undefined;
}

/** The photo attack, cached like the testkit's clips under a hash of how it is made. */
async function photoClip(): Promise<string> {
  const filter = [
    '[0:v]scale=-2:320,eq=contrast=0.8:brightness=0.04:saturation=0.8,pad=iw+20:ih+20:10:10:color=0xf4f1ea,',
    'format=rgba,rotate=4*PI/180:c=none:ow=rotw(4*PI/180):oh=roth(4*PI/180)[p];',
    '[1:v][p]overlay=(W-w)/2:(H-h)/2:shortest=1,format=yuv420p',
  ].join('');
  const hash = createHash('sha256').update(filter).digest('hex').slice(0, 10);
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'facepay', 'clips');
  return ffmpegOnce(join(dir, `bench-photo-${hash}.y4m`), [
    '-loop', '1', '-i', PORTRAIT, '-f', 'lavfi', '-i', 'color=c=0x4a4540:s=640x480:r=30',
    '-filter_complex', filter, '-t', '1', '-r', '30',
  ]);
}
