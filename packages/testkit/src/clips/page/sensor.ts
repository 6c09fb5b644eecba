import type { FramePlan } from '../plan.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../plan.js';

const FULL_SCREEN = `#version 300 es
void main() {
  // One triangle covering the viewport.
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

// Exposure and noise, per pixel of the rendered scene: gain with a gradient across the
// frame, Gaussian luma noise (Box–Muller) and a little uniform noise per channel. The
// hash makes the noise a pure function of pixel and seed: the same clip every run.
const DEVELOP = `#version 300 es
precision highp float;
precision highp int;
uniform sampler2D uScene;
uniform vec3 uLight;
uniform float uNoise;
uniform uint uSeed;
out vec4 outColour;
uint hash(uint x) {
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16;
  return x;
}
float uniform01(uint x) { return (float(hash(x) >> 8) + 0.5) / 16777216.0; }
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  float x = float(p.x) / ${FRAME_WIDTH}.0 - 0.5;
  float y = float(${FRAME_HEIGHT - 1} - p.y) / ${FRAME_HEIGHT}.0 - 0.5;
  vec3 c = texelFetch(uScene, p, 0).rgb * 255.0;
  float gain = uLight.x * (1.0 + uLight.y * x + uLight.z * y);
  uint key = (uint(p.y) * ${FRAME_WIDTH}u + uint(p.x)) * 5u + uSeed * 0x9e3779b9u;
  float luma = sqrt(-2.0 * log(uniform01(key))) * cos(6.2831853 * uniform01(key + 1u));
  vec3 chroma = vec3(uniform01(key + 2u), uniform01(key + 3u), uniform01(key + 4u)) - 0.5;
  c = c * gain + uNoise * (luma + 0.6 * chroma);
  outColour = vec4(clamp(floor(c + 0.5), 0.0, 255.0) / 255.0, 1.0);
}`;

// RGB to planar YUV 4:2:0 (BT.601, limited range), four bytes per fragment. readPixels
// returns the bottom row first, so fragment row k holds I420 row k: the bytes come back
// in file order, a y4m frame as is.
const TO_I420 = `#version 300 es
precision highp float;
precision highp int;
uniform sampler2D uDeveloped;
out vec4 outBytes;
const int W = ${FRAME_WIDTH};
const int H = ${FRAME_HEIGHT};
vec3 rgb(int x, int y) { return texelFetch(uDeveloped, ivec2(x, H - 1 - y), 0).rgb * 255.0; }
float chroma(int index, bool v) {
  int cx = index % (W / 2);
  int cy = index / (W / 2);
  vec3 c = (rgb(2 * cx, 2 * cy) + rgb(2 * cx + 1, 2 * cy) + rgb(2 * cx, 2 * cy + 1) + rgb(2 * cx + 1, 2 * cy + 1)) / 4.0;
  return v ? 128.0 + 0.439 * c.r - 0.368 * c.g - 0.071 * c.b : 128.0 - 0.148 * c.r - 0.291 * c.g + 0.439 * c.b;
}
void main() {
  ivec2 f = ivec2(gl_FragCoord.xy);
  int row = f.y;
  int first = row * W + f.x * 4;
  float b[4];
  for (int k = 0; k < 4; k++) {
    int i = first + k;
    if (i < W * H) {
      vec3 c = rgb(i % W, i / W);
      b[k] = 16.0 + 0.257 * c.r + 0.504 * c.g + 0.098 * c.b;
    } else {
      int j = i - W * H;
      bool v = j >= W * H / 4;
      b[k] = chroma(v ? j - W * H / 4 : j, v);
    }
  }
  outBytes = vec4(b[0], b[1], b[2], b[3]) / 255.0;
}`;

/**
 * The camera's sensor, on the GPU: develops a rendered scene (exposure, noise) and packs
 * it as I420, so a frame leaves WebGL as the 460 KB a y4m file stores, with no per-pixel
 * work in JavaScript.
 */
export class Sensor {
  private readonly develop: WebGLProgram;
  private readonly pack: WebGLProgram;
  private readonly developed: { texture: WebGLTexture; framebuffer: WebGLFramebuffer };
  private readonly packed: { texture: WebGLTexture; framebuffer: WebGLFramebuffer };
  private readonly bytes = new Uint8Array((FRAME_WIDTH * FRAME_HEIGHT * 3) / 2);
  private readonly uniforms: Record<string, WebGLUniformLocation | null>;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    link: (vertex: string, fragment: string) => WebGLProgram,
  ) {
    this.develop = link(FULL_SCREEN, DEVELOP);
    this.pack = link(FULL_SCREEN, TO_I420);
    this.developed = target(gl, FRAME_WIDTH, FRAME_HEIGHT);
    this.packed = target(gl, FRAME_WIDTH / 4, (FRAME_HEIGHT * 3) / 2);
    this.uniforms = {
      scene: gl.getUniformLocation(this.develop, 'uScene'),
      light: gl.getUniformLocation(this.develop, 'uLight'),
      noise: gl.getUniformLocation(this.develop, 'uNoise'),
      seed: gl.getUniformLocation(this.develop, 'uSeed'),
      developed: gl.getUniformLocation(this.pack, 'uDeveloped'),
    };
  }

  /** Develops the scene texture with the frame's light and noise; returns I420 bytes. */
  capture(scene: WebGLTexture, plan: FramePlan): Uint8Array<ArrayBuffer> {
    const gl = this.gl;
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.SCISSOR_TEST);
    gl.activeTexture(gl.TEXTURE0);

    gl.bindFramebuffer(gl.FRAMEBUFFER, this.developed.framebuffer);
    gl.viewport(0, 0, FRAME_WIDTH, FRAME_HEIGHT);
    gl.useProgram(this.develop);
    gl.bindTexture(gl.TEXTURE_2D, scene);
    gl.uniform1i(this.uniforms.scene!, 0);
    gl.uniform3f(this.uniforms.light!, plan.light.gain, plan.light.gradX, plan.light.gradY);
    gl.uniform1f(this.uniforms.noise!, plan.noise);
    gl.uniform1ui(this.uniforms.seed!, plan.seed);
    gl.drawArrays(gl.TRIANGLES, 0, 3);

    gl.bindFramebuffer(gl.FRAMEBUFFER, this.packed.framebuffer);
    gl.viewport(0, 0, FRAME_WIDTH / 4, (FRAME_HEIGHT * 3) / 2);
    gl.useProgram(this.pack);
    gl.bindTexture(gl.TEXTURE_2D, this.developed.texture);
    gl.uniform1i(this.uniforms.developed!, 0);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.readPixels(0, 0, FRAME_WIDTH / 4, (FRAME_HEIGHT * 3) / 2, gl.RGBA, gl.UNSIGNED_BYTE, this.bytes);
    return this.bytes;
  }
}

/** An RGBA8 texture to render into, read with texelFetch (nearest, no mipmaps). */
export function target(gl: WebGL2RenderingContext, width: number, height: number, depth = false): { texture: WebGLTexture; framebuffer: WebGLFramebuffer } {
  const texture = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  const framebuffer = gl.createFramebuffer()!;
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  if (depth) {
    const buffer = gl.createRenderbuffer()!;
    gl.bindRenderbuffer(gl.RENDERBUFFER, buffer);
    gl.renderbufferStorage(gl.RENDERBUFFER, gl.DEPTH_COMPONENT24, width, height);
    gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.RENDERBUFFER, buffer);
  }
  if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) throw new Error('incomplete framebuffer');
  return { texture, framebuffer };
}
