import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A short 640x480 y4m of a still image, for Chromium's fake camera. Cached under
 * ~/.cache/facepay/clips; needs Debian's ffmpeg.
 */
export async function stillClip(image: string, name: string): Promise<string> {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'facepay', 'clips');
  const out = join(dir, `${name}.y4m`);
  if (await stat(out).then((s) => s.size > 0, () => false)) return out;
  await mkdir(dir, { recursive: true });
  await run('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-i', image, '-t', '1', '-r', '30',
    '-vf', 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2',
    '-pix_fmt', 'yuv420p', `${out}.tmp.y4m`,
  ]);
  await run('mv', [`${out}.tmp.y4m`, out]);
  return out;
}
