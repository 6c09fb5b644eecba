import { createRandom } from '../prng.js';
import { PLATE_HEIGHT, PLATE_WIDTH } from '../plan.js';

/**
 * A plain room, plate-sized, without anybody in it: a wall with light falling off, a door,
 * a shelf with books, a picture and a lamp's glow, slightly out of focus as a webcam
 * focused on the near subject would see it. Behind the photo and screen attacks, and the
 * whole picture of the no-face clip.
 */
export function paintRoom(seed: number): OffscreenCanvas {
  const random = createRandom(seed);
  const canvas = new OffscreenCanvas(PLATE_WIDTH, PLATE_HEIGHT);
  const ctx = canvas.getContext('2d')!;
  const wall = ctx.createLinearGradient(0, 0, PLATE_WIDTH, PLATE_HEIGHT);
  wall.addColorStop(0, '#cfc6b8');
  wall.addColorStop(0.6, '#b4ab9c');
  wall.addColorStop(1, '#8f877a');
  ctx.fillStyle = wall;
  ctx.fillRect(0, 0, PLATE_WIDTH, PLATE_HEIGHT);
  // Floor and skirting.
  ctx.fillStyle = '#6b5643';
  ctx.fillRect(0, PLATE_HEIGHT * 0.8, PLATE_WIDTH, PLATE_HEIGHT * 0.2);
  ctx.fillStyle = '#e8e2d6';
  ctx.fillRect(0, PLATE_HEIGHT * 0.8 - 14, PLATE_WIDTH, 14);
  // Door.
  ctx.fillStyle = '#ddd6c9';
  ctx.fillRect(1080, 170, 260, 620);
  ctx.strokeStyle = '#a09684';
  ctx.lineWidth = 10;
  ctx.strokeRect(1080, 170, 260, 620);
  ctx.fillStyle = '#8a7f6c';
  ctx.beginPath();
  ctx.arc(1300, 490, 10, 0, Math.PI * 2);
  ctx.fill();
  // Shelf with books of random widths and colours.
  ctx.fillStyle = '#5b4636';
  ctx.fillRect(260, 520, 560, 18);
  let x = 270;
  while (x < 800) {
    const width = 14 + random() * 26;
    const height = 70 + random() * 60;
    const hue = Math.floor(random() * 360);
    ctx.fillStyle = `hsl(${hue} ${30 + random() * 40}% ${25 + random() * 30}%)`;
    ctx.fillRect(x, 520 - height, width, height);
    x += width + 2 + random() * 6;
  }
  // Picture frame.
  ctx.fillStyle = '#2f2a24';
  ctx.fillRect(420, 200, 240, 170);
  const picture = ctx.createLinearGradient(430, 210, 650, 360);
  picture.addColorStop(0, '#7d9bb5');
  picture.addColorStop(1, '#c9b98f');
  ctx.fillStyle = picture;
  ctx.fillRect(432, 212, 216, 146);
  // A lamp's glow.
  const glow = ctx.createRadialGradient(180, 260, 10, 180, 260, 260);
  glow.addColorStop(0, 'rgba(255, 244, 214, 0.85)');
  glow.addColorStop(1, 'rgba(255, 244, 214, 0)');
  ctx.fillStyle = glow;
  ctx.fillRect(0, 0, 500, 560);
  // Out of focus.
  const blurred = new OffscreenCanvas(PLATE_WIDTH, PLATE_HEIGHT);
  const out = blurred.getContext('2d')!;
  out.filter = 'blur(5px)';
  out.drawImage(canvas, 0, 0);
  return blurred;
}
