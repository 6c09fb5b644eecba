// The vision worker demo: camera → worker (MediaPipe) → face outline, pose and blendshapes.
import { BLENDSHAPE_NAMES } from '@facepay/protocol';
import { createVisionClient } from '@facepay/vision';

const $ = (id) => document.getElementById(id);
const video = $('video');
const overlay = $('overlay');
const ctx = overlay.getContext('2d');
const status = $('status');

// Outer contour of MediaPipe's face mesh, in order around the face.
const FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
  148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109];

const vision = createVisionClient();
const ready = vision.init({}, (p) => {
  if (p.stage === 'model' && p.total) status.textContent = `Loading the face model… ${Math.round((100 * p.loaded) / p.total)}%`;
});
ready.then((result) => {
  status.textContent = result.ok
    ? `Model ready (${result.delegate}, ${Math.round(result.initMs)} ms). Press “Start camera”.`
    : `The face model could not load: ${result.error.code} — ${result.error.message}`;
  document.body.dataset.vision = result.ok ? 'ready' : 'error';
});

let frames = 0;
let processed = 0;

$('start').addEventListener('click', async () => {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false });
  } catch (error) {
    status.textContent = `No camera: ${error.name}. Allow camera access for this page and try again.`;
    return;
  }
  video.srcObject = stream;
  await video.play();
  overlay.width = video.videoWidth;
  overlay.height = video.videoHeight;
  const init = await ready;
  if (!init.ok) return;
  status.textContent = 'Camera on. Look into the camera.';
  const onFrame = async () => {
    video.requestVideoFrameCallback(onFrame);
    frames++;
    if (vision.busy) return;
    const bitmap = await createImageBitmap(video);
    const result = await vision.process(bitmap, performance.now());
    if (result.status === 'ok') {
      processed++;
      show(result.observation);
    } else if (result.status === 'error') {
      status.textContent = `Vision error: ${result.error.code}`;
    }
  };
  video.requestVideoFrameCallback(onFrame);
});

function show(observation) {
  const { width, height, faces } = observation;
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  $('faces').textContent = String(faces.length);
  $('inference').textContent = `${observation.inferenceMs.toFixed(1)} ms`;
  $('frames').textContent = `${processed} landmarked / ${frames} shown`;
  document.body.dataset.faces = String(faces.length);
  for (const face of faces) {
    ctx.strokeStyle = 'white';
    ctx.lineWidth = 3;
    ctx.beginPath();
    FACE_OVAL.forEach((i, n) => {
      const x = face.landmarks[i * 3] * width;
      const y = face.landmarks[i * 3 + 1] * height;
      if (n === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.closePath();
    ctx.stroke();
    ctx.fillStyle = 'rgba(255,255,255,0.6)';
    for (let i = 0; i < face.landmarks.length; i += 3 * 4) {
      ctx.fillRect(face.landmarks[i] * width - 1, face.landmarks[i + 1] * height - 1, 2, 2);
    }
  }
  const face = faces[0];
  for (const axis of ['yaw', 'pitch', 'roll']) $(axis).textContent = face ? `${face.pose[axis].toFixed(1)}°` : '–';
  const list = $('blendshapes');
  list.replaceChildren();
  if (!face) return;
  const top = [...face.blendshapes].map((score, i) => [BLENDSHAPE_NAMES[i], score]).sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [name, score] of top) {
    const item = document.createElement('li');
    item.textContent = `${name} ${score.toFixed(2)}`;
    list.append(item);
  }
}
