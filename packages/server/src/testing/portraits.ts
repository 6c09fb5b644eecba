import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FACE_FRAMING } from '@facepay/face';
import { FACE_CROP_SIZE } from '@facepay/protocol';
import { FACES } from '@facepay/testkit';

const run = promisify(execFile);

// Face crops of the two test portraits (../shared/faces) for server tests: no landmarker in
// Node, so each portrait's eyes and mouth are given by hand (pixels, measured once) and the
// crop follows the face package's framing (FACE_FRAMING, as its alignFace frames a face
// from landmarks). The browser's landmark alignment is tested end to end elsewhere; here
// only the server's embedding of real pixels matters.

interface Portrait {
  file: string;
  eyes: [[number, number], [number, number]];
  mouth: [number, number];
}

export const PORTRAITS = {
  grace: { file: 'grace_hopper.jpg', eyes: [[222, 195], [307, 191]], mouth: [263, 276] },
  bearded: { file: 'xmorph-ad-1.png', eyes: [[75, 163], [148, 165]], mouth: [112, 240] },
} as const satisfies Record<string, Portrait>;
export type PortraitName = keyof typeof PORTRAITS;

/**
 * RGBA pixels of an aligned FACE_CROP_SIZE² crop of a portrait. `shift` moves the crop by
 * fractions of its side and `zoom` scales it, for samples that differ as frames of one
 * session do. Decoded and resampled by Debian's ffmpeg (JPEG and PNG alike).
 */
export async function portraitCrop(name: PortraitName, options: { shift?: [number, number]; zoom?: number } = {}): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { file, eyes, mouth } = PORTRAITS[name];
  const eyeCentre = [(eyes[0][0] + eyes[1][0]) / 2, (eyes[0][1] + eyes[1][1]) / 2];
  const faceSize = Math.hypot(Math.hypot(eyes[1][0] - eyes[0][0], eyes[1][1] - eyes[0][1]), Math.hypot(mouth[0] - eyeCentre[0]!, mouth[1] - eyeCentre[1]!));
  const side = Math.round(faceSize / FACE_FRAMING.size / (options.zoom ?? 1));
  const centre = [(eyeCentre[0]! + mouth[0]) / 2, (eyeCentre[1]! + mouth[1]) / 2];
  const [dx, dy] = options.shift ?? [0, 0];
  // Padding lets a crop reach past the portrait's edges (black, as the second portrait's background).
  const pad = side;
  const x = Math.round(centre[0]! - side / 2 + dx * side) + pad;
  const y = Math.round(centre[1]! - FACE_FRAMING.centerY * side + dy * side) + pad;
  const filter = `pad=iw+${2 * pad}:ih+${2 * pad}:${pad}:${pad}:black,crop=${side}:${side}:${x}:${y},scale=${FACE_CROP_SIZE}:${FACE_CROP_SIZE}:flags=bilinear`;
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', join(FACES, file), '-vf', filter, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 20,
  });
  if (stdout.length !== FACE_CROP_SIZE * FACE_CROP_SIZE * 4) throw new Error(`ffmpeg gave ${stdout.length} bytes for ${name}`);
  return { data: new Uint8Array(stdout), width: FACE_CROP_SIZE, height: FACE_CROP_SIZE };
}
