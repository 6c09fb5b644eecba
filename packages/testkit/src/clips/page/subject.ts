import type { VisionClient } from '@facepay/vision';
import type { SubjectSource } from '../plan.js';
import { FRAME_HEIGHT, FRAME_WIDTH, PLATE_HEIGHT, PLATE_ORIGIN_X, PLATE_ORIGIN_Y, PLATE_WIDTH } from '../plan.js';
import { FaceRig } from './face-rig.js';
import { CHIN, FACE_SIDES, FOREHEAD, FOREHEAD_TOP } from './face-regions.js';

/** A portrait made ready to render: its plate (the texture), its rig and the photo itself. */
export interface Subject {
  id: string;
  plate: OffscreenCanvas;
  rig: FaceRig;
  photo: ImageBitmap;
}

/** Where the face's centre sits in the frame when the head is at rest. */
const FACE_CENTRE_X = FRAME_WIDTH / 2;
const FACE_CENTRE_Y = FRAME_HEIGHT / 2;

/**
 * Loads a portrait, finds its face with the real vision worker, scales it so the face has
 * the wanted width in the frame, extends its edges to fill the plate, and landmarks the
 * resulting neutral frame again for the rig (with depth).
 */
export async function prepareSubject(source: SubjectSource, createClient: () => VisionClient): Promise<Subject> {
  const response = await fetch(source.url);
  if (!response.ok) throw new Error(`${source.url}: HTTP ${response.status}`);
  const photo = await createImageBitmap(await response.blob());
  // One client per portrait: VIDEO mode tracks from frame to frame, and the portraits are unrelated.
  const client = createClient();
  try {
    const init = await client.init({});
    if (!init.ok) throw new Error(`vision worker: ${init.error.code}: ${init.error.message}`);
    const first = await landmarks(client, await createImageBitmap(photo), 1, source.id);
    const px = (i: number): [number, number] => [first[i * 3]! * photo.width, first[i * 3 + 1]! * photo.height];
    const faceWidth = Math.hypot(px(FACE_SIDES[0])[0] - px(FACE_SIDES[1])[0], px(FACE_SIDES[0])[1] - px(FACE_SIDES[1])[1]);
    const scale = source.faceWidth / faceWidth;
    const centreX = (px(FACE_SIDES[0])[0] + px(FACE_SIDES[1])[0]) / 2;
    const centreY = (px(FOREHEAD_TOP)[1] + px(CHIN)[1]) / 2;
    const plate = composePlate(photo, scale, PLATE_ORIGIN_X + FACE_CENTRE_X - centreX * scale, PLATE_ORIGIN_Y + FACE_CENTRE_Y - centreY * scale);

    // Landmark the neutral frame a few times so the tracker settles, and keep the last.
    const frame = new OffscreenCanvas(FRAME_WIDTH, FRAME_HEIGHT);
    frame.getContext('2d')!.drawImage(plate, -PLATE_ORIGIN_X, -PLATE_ORIGIN_Y);
    let points = first;
    for (let i = 0; i < 3; i++) points = await landmarks(client, await createImageBitmap(frame), 1000 + i * 33, source.id);
    const onPlate = new Float32Array(points.length);
    for (let i = 0; i < points.length / 3; i++) {
      onPlate[i * 3] = PLATE_ORIGIN_X + points[i * 3]! * FRAME_WIDTH;
      onPlate[i * 3 + 1] = PLATE_ORIGIN_Y + points[i * 3 + 1]! * FRAME_HEIGHT;
      onPlate[i * 3 + 2] = points[i * 3 + 2]! * FRAME_WIDTH;
    }
    return { id: source.id, plate, rig: new FaceRig(onPlate, skinColour(plate, onPlate)), photo };
  } finally {
    await client.close();
  }
}

async function landmarks(client: VisionClient, frame: ImageBitmap, timestampMs: number, id: string): Promise<Float32Array> {
  const result = await client.process(frame, timestampMs);
  if (result.status !== 'ok') throw new Error(`${id}: vision worker: ${JSON.stringify(result)}`);
  const face = result.observation.faces[0];
  if (!face) throw new Error(`${id}: no face found in the portrait`);
  return face.landmarks;
}

/**
 * The portrait scaled onto a plate larger than the frame. Beyond the photo's edges its edge
 * pixels are stretched outward, blurred, and fade into the edge's mean colour, so the
 * camera can sway and pan without showing a border, and no part of the face is repeated.
 */
function composePlate(photo: ImageBitmap, scale: number, left: number, top: number): OffscreenCanvas {
  const plate = new OffscreenCanvas(PLATE_WIDTH, PLATE_HEIGHT);
  const ctx = plate.getContext('2d')!;
  const w = photo.width * scale;
  const h = photo.height * scale;
  const right = left + w;
  const bottom = top + h;
  const W = photo.width;
  const H = photo.height;
  const edges = edgeColours(photo);
  ctx.fillStyle = mean(Object.values(edges));
  ctx.fillRect(0, 0, PLATE_WIDTH, PLATE_HEIGHT);
  const far = 20;
  const fade = 140;
  // Source strip, target box, and the fade's direction (from the photo outward).
  const pieces: Array<{ src: [number, number, number, number]; dst: [number, number, number, number]; from: [number, number]; to: [number, number]; colour: string }> = [
    { src: [0, 0, 1, H], dst: [-far, top, left + far, h], from: [left, 0], to: [left - fade, 0], colour: edges.left },
    { src: [W - 1, 0, 1, H], dst: [right, top, PLATE_WIDTH - right + far, h], from: [right, 0], to: [right + fade, 0], colour: edges.right },
    { src: [0, 0, W, 1], dst: [left, -far, w, top + far], from: [0, top], to: [0, top - fade], colour: edges.top },
    { src: [0, H - 1, W, 1], dst: [left, bottom, w, PLATE_HEIGHT - bottom + far], from: [0, bottom], to: [0, bottom + fade], colour: edges.bottom },
  ];
  const layer = new OffscreenCanvas(PLATE_WIDTH, PLATE_HEIGHT);
  const lctx = layer.getContext('2d')!;
  for (const { src, dst, from, to, colour } of pieces) {
    if (dst[2] <= 0 || dst[3] <= 0) continue;
    lctx.globalCompositeOperation = 'source-over';
    lctx.clearRect(0, 0, PLATE_WIDTH, PLATE_HEIGHT);
    lctx.fillStyle = colour;
    lctx.fillRect(...dst);
    lctx.filter = 'blur(12px)';
    lctx.drawImage(photo, ...src, ...dst);
    lctx.filter = 'none';
    const gradient = lctx.createLinearGradient(...from, ...to);
    gradient.addColorStop(0, 'rgba(0, 0, 0, 1)');
    gradient.addColorStop(1, 'rgba(0, 0, 0, 0)');
    lctx.globalCompositeOperation = 'destination-in';
    lctx.fillStyle = gradient;
    lctx.fillRect(0, 0, PLATE_WIDTH, PLATE_HEIGHT);
    ctx.drawImage(layer, 0, 0);
  }
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(photo, left, top, w, h);
  return plate;
}

/** Mean colour of each edge row or column of the photo, as CSS colours. */
function edgeColours(photo: ImageBitmap): Record<'left' | 'right' | 'top' | 'bottom', string> {
  const canvas = new OffscreenCanvas(photo.width, photo.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(photo, 0, 0);
  const average = (x: number, y: number, w: number, h: number): string => {
    const data = ctx.getImageData(x, y, w, h).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
    const n = data.length / 4;
    return `rgb(${sum.map((v) => Math.round(v / n)).join(', ')})`;
  };
  return {
    left: average(0, 0, 1, photo.height),
    right: average(photo.width - 1, 0, 1, photo.height),
    top: average(0, 0, photo.width, 1),
    bottom: average(0, photo.height - 1, photo.width, 1),
  };
}

/** The mean of CSS `rgb(r, g, b)` colours. */
function mean(colours: string[]): string {
  const values = colours.map((c) => c.slice(4, -1).split(',').map(Number));
  return `rgb(${[0, 1, 2].map((i) => Math.round(values.reduce((s, v) => s + v[i]!, 0) / values.length)).join(', ')})`;
}

/** Mean colour of the forehead's skin, for eyelids closing over the eye. */
function skinColour(plate: OffscreenCanvas, points: Float32Array): [number, number, number] {
  const ctx = plate.getContext('2d')!;
  const sum = [0, 0, 0];
  let count = 0;
  for (const p of FOREHEAD) {
    const data = ctx.getImageData(Math.round(points[p * 3]!) - 2, Math.round(points[p * 3 + 1]!) - 2, 5, 5).data;
    for (let i = 0; i < data.length; i += 4) {
      sum[0]! += data[i]!;
      sum[1]! += data[i + 1]!;
      sum[2]! += data[i + 2]!;
      count++;
    }
  }
  // Lids are a shade darker than the forehead.
  const k = 0.92 / count / 255;
  return [sum[0]! * k, sum[1]! * k, sum[2]! * k];
}
