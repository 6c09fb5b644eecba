import type { FramePlan } from '../plan.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../plan.js';
import { createRandom } from '../prng.js';

/** Side of the square table of noise samples. */
const NOISE_SIZE = 512;
/** The texture unit the noise table stays bound to. */
const NOISE_UNIT = 7;

const FULL_SCREEN = `#version 300 es
void main() {
  // One triangle covering the viewport.
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

// The camera's sensor: exposure (a gain with a gradient across the frame) and noise, then
// RGB to planar YUV 4:2:0 (BT.601, limited range), four bytes per fragment. Noise comes
// from a fixed table of Gaussian samples (four per texel, one per byte) read from a
// per-frame offset: luma noise per pixel, a weaker chroma noise per chroma sample; fresh
// every frame, the same on every run.
// readPixels returns the bottom row first, so fragment row k holds I420 row k: the bytes
// come back in file order, a y4m frame as is. A chroma sample is the mean of a 2×2 block,
// one bilinear fetch at the block's centre.
const TO_I420 = `#version 300 es
precision highp float;
precision highp int;
uniform sampler2D uFrame;
uniform sampler2D uNoiseTable;
uniform vec3 uLight;
uniform float uNoise;
uniform ivec2 uOffset;
out vec4 outBytes;
const int W = ${FRAME_WIDTH};
const int H = ${FRAME_HEIGHT};
float gain(int x, int y) {
  return uLight.x * (1.0 + uLight.y * (float(x) / float(W) - 0.5) + uLight.z * (float(y) / float(H) - 0.5));
}
void main() {
  ivec2 f = ivec2(gl_FragCoord.xy);
  int row = f.y;
  vec4 n = (texelFetch(uNoiseTable, (f + uOffset) & ${NOISE_SIZE - 1}, 0) * 255.0 - 128.0) / 32.0 * uNoise;
  vec4 b;
  if (row < H) {
    for (int k = 0; k < 4; k++) {
      int x = f.x * 4 + k;
      vec3 c = texelFetch(uFrame, ivec2(x, H - 1 - row), 0).rgb * 255.0;
      b[k] = 16.0 + gain(x, row) * (0.257 * c.r + 0.504 * c.g + 0.098 * c.b) + n[k];
    }
  } else {
    // Each 640-byte row of a chroma plane holds two 320-sample rows.
    bool v = row >= H + H / 4;
    int second = f.x >= W / 8 ? 1 : 0;
    int cy = (row - H - (v ? H / 4 : 0)) * 2 + second;
    int cx = f.x * 4 - second * (W / 2);
    for (int k = 0; k < 4; k++) {
      int x = 2 * (cx + k);
      int y = 2 * cy;
      vec3 c = texture(uFrame, vec2(float(x + 1) / float(W), 1.0 - float(y + 1) / float(H))).rgb * 255.0;
      float chroma = v ? 0.439 * c.r - 0.368 * c.g - 0.071 * c.b : -0.148 * c.r - 0.291 * c.g + 0.439 * c.b;
      b[k] = 128.0 + gain(x, y) * chroma + 0.35 * n[k];
    }
  }
  outBytes = clamp(b, 0.0, 255.0) / 255.0;
}`;

/**
 * The camera's sensor, on the GPU: exposes, adds noise to and packs a rendered frame as
 * I420, so it leaves WebGL as the 460 KB a y4m file stores, with no per-pixel work in
 * JavaScript. One pass of a quarter as many fragments as the frame: SwiftShader's cost is
 * mostly per fragment.
 */
export class Sensor {
  private readonly pack: WebGLProgram;
  private readonly packed: { texture: WebGLTexture; framebuffer: WebGLFramebuffer };
  private readonly bytes = new Uint8Array((FRAME_WIDTH * FRAME_HEIGHT * 3) / 2);

  constructor(
    private readonly gl: WebGL2RenderingContext,
    link: (vertex: string, fragment: string) => WebGLProgram,
  ) {
    this.pack = link(FULL_SCREEN, TO_I420);
    this.packed = target(gl, FRAME_WIDTH / 4, (FRAME_HEIGHT * 3) / 2);
    gl.activeTexture(gl.TEXTURE0 + NOISE_UNIT);
    gl.bindTexture(gl.TEXTURE_2D, noiseTable(gl));
    gl.activeTexture(gl.TEXTURE0);
  }

  /** Exposes and packs a rendered frame (an RGBA8 texture with linear filtering) as I420 bytes. */
  capture(frame: WebGLTexture, plan: FramePlan): Uint8Array<ArrayBuffer> {
    const gl = this.gl;
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.SCISSOR_TEST);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.packed.framebuffer);
    gl.viewport(0, 0, FRAME_WIDTH / 4, (FRAME_HEIGHT * 3) / 2);
    gl.useProgram(this.pack);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, frame);
    const at = (name: string): WebGLUniformLocation | null => gl.getUniformLocation(this.pack, name);
    gl.uniform1i(at('uFrame'), 0);
    gl.uniform1i(at('uNoiseTable'), NOISE_UNIT);
    gl.uniform3f(at('uLight'), plan.light.gain, plan.light.gradX, plan.light.gradY);
    gl.uniform1f(at('uNoise'), plan.noise);
    gl.uniform2i(at('uOffset'), plan.seed % NOISE_SIZE, (plan.seed >>> 9) % NOISE_SIZE);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.readPixels(0, 0, FRAME_WIDTH / 4, (FRAME_HEIGHT * 3) / 2, gl.RGBA, gl.UNSIGNED_BYTE, this.bytes);
    return this.bytes;
  }
}

/** An RGBA8 texture to render into, optionally with a depth buffer. */
export function target(
  gl: WebGL2RenderingContext,
  width: number,
  height: number,
  options: { depth?: boolean; filter?: number } = {},
): { texture: WebGLTexture; framebuffer: WebGLFramebuffer } {
  const texture = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, options.filter ?? gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, options.filter ?? gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  const framebuffer = gl.createFramebuffer()!;
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  if (options.depth) {
    const buffer = gl.createRenderbuffer()!;
    gl.bindRenderbuffer(gl.RENDERBUFFER, buffer);
    gl.renderbufferStorage(gl.RENDERBUFFER, gl.DEPTH_COMPONENT24, width, height);
    gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.RENDERBUFFER, buffer);
  }
  if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) throw new Error('incomplete framebuffer');
  return { texture, framebuffer };
}

/** Gaussian samples, 32 steps per standard deviation around 128, from a fixed seed. */
function noiseTable(gl: WebGL2RenderingContext): WebGLTexture {
  const random = createRandom(0x5eed);
  const data = new Uint8Array(NOISE_SIZE * NOISE_SIZE * 4);
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const a = 2 * Math.PI * random();
    data[i] = Math.max(0, Math.min(255, Math.round(128 + 32 * r * Math.cos(a))));
    data[i + 1] = Math.max(0, Math.min(255, Math.round(128 + 32 * r * Math.sin(a))));
  }
  const texture = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, NOISE_SIZE, NOISE_SIZE, 0, gl.RGBA, gl.UNSIGNED_BYTE, data);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  return texture;
}
