import type { FramePlan, Layer, PlaneState, PrintLayer, ScreenLayer } from '../plan.js';
import { FRAME_HEIGHT, FRAME_WIDTH, PLATE_HEIGHT, PLATE_ORIGIN_X, PLATE_ORIGIN_Y, PLATE_WIDTH } from '../plan.js';
import { FOCAL, rotationMatrix, type Camera } from './face-rig.js';
import { Sensor, target } from './sensor.js';
import type { Subject } from './subject.js';

const VERTEX_SHADER = `#version 300 es
layout(location = 0) in vec4 aPos;
layout(location = 1) in vec2 aUv;
layout(location = 2) in vec4 aTint;
out vec2 vUv;
out vec4 vTint;
void main() {
  gl_Position = aPos;
  vUv = aUv;
  vTint = aTint;
}`;

const FRAGMENT_HEADER = `#version 300 es
precision highp float;
in vec2 vUv;
in vec4 vTint;
out vec4 outColour;
`;

// One small program per kind of surface: SwiftShader runs every instruction of a shader
// for every fragment, so a shared shader with branches would cost all kinds everywhere.
const FRAGMENT_SHADERS = {
  // A texture, tinted per vertex (premultiplied), optionally covered by a solid colour.
  plain: `${FRAGMENT_HEADER}
uniform sampler2D uTex;
uniform vec4 uColour;
void main() {
  vec3 c = texture(uTex, vUv).rgb * (1.0 - vTint.a) + vTint.rgb;
  outColour = vec4(mix(c, uColour.rgb, uColour.a), 1.0);
}`,
  // A photo on glossy paper: a little flatter, with a soft sheen band.
  paper: `${FRAGMENT_HEADER}
uniform sampler2D uTex;
uniform vec2 uSheen;
void main() {
  vec3 c = mix(texture(uTex, vUv).rgb, vec3(0.5, 0.48, 0.45), 0.06);
  float d = (gl_FragCoord.x - uSheen.y) / 70.0;
  outColour = vec4(clamp(c * 0.9 + 0.05 + uSheen.x * exp(-d * d), 0.0, 1.0), 1.0);
}`,
  // A screen showing an I420 frame, seen by a camera: its pixel grid beats against the
  // camera's (moiré), emitted light is cooler and flatter, a reflection glares on the glass.
  screen: `${FRAGMENT_HEADER}
uniform sampler2D uY;
uniform sampler2D uU;
uniform sampler2D uV;
uniform vec2 uGrid;
uniform float uPhase;
uniform vec4 uGlare;
void main() {
  float l = 1.164 * (texture(uY, vUv).r * 255.0 - 16.0);
  float u = texture(uU, vUv).r * 255.0 - 128.0;
  float v = texture(uV, vUv).r * 255.0 - 128.0;
  vec3 c = clamp(vec3(l + 1.596 * v, l - 0.392 * u - 0.813 * v, l + 2.017 * u) / 255.0, 0.0, 1.0);
  vec2 g = vUv * uGrid + uPhase;
  float cell = (0.5 + 0.5 * cos(6.2831853 * g.x)) * (0.5 + 0.5 * cos(6.2831853 * g.y));
  vec3 stripes = 0.5 + 0.5 * cos(6.2831853 * (g.x * 3.0 + vec3(0.0, 0.333, 0.667)));
  c *= (1.0 - 0.22 * cell) * (0.9 + 0.1 * stripes);
  c = c * vec3(0.9, 0.95, 1.04) * 0.88 + 0.06;
  vec2 frag = vec2(gl_FragCoord.x, ${FRAME_HEIGHT}.0 - gl_FragCoord.y);
  float d = length(frag - uGlare.xy) / uGlare.z;
  c += uGlare.w * exp(-d * d) * vec3(1.0, 0.98, 0.95);
  outColour = vec4(clamp(c, 0.0, 1.0), 1.0);
}`,
} as const;
type ProgramKind = keyof typeof FRAGMENT_SHADERS;

interface Mesh {
  positions: WebGLBuffer;
  uvs: WebGLBuffer;
  tints: WebGLBuffer;
  indices: WebGLBuffer;
  count: number;
}

/**
 * Draws frame plans with WebGL2 (SwiftShader in headless Chromium): people as textured
 * meshes with a depth buffer, prints and screens as perspective-correct quads.
 */
export class Renderer {
  private readonly canvas = new OffscreenCanvas(FRAME_WIDTH, FRAME_HEIGHT);
  private readonly gl: WebGL2RenderingContext;
  private readonly programs: Record<ProgramKind, WebGLProgram>;
  private readonly meshes = new Map<string, Mesh>();
  private readonly textures = new Map<string, WebGLTexture>();
  private readonly quad: Mesh;
  private readonly scene: { texture: WebGLTexture; framebuffer: WebGLFramebuffer };
  private readonly sensor: Sensor;
  private readonly screen: WebGLTexture[];

  constructor(
    private readonly subjects: Map<string, Subject>,
    room: OffscreenCanvas,
  ) {
    const gl = this.canvas.getContext('webgl2', { antialias: false, depth: false });
    if (!gl) throw new Error('WebGL2 is not available (headless Chromium needs SwiftShader: --enable-unsafe-swiftshader)');
    this.gl = gl;
    this.programs = {
      plain: link(gl, VERTEX_SHADER, FRAGMENT_SHADERS.plain),
      paper: link(gl, VERTEX_SHADER, FRAGMENT_SHADERS.paper),
      screen: link(gl, VERTEX_SHADER, FRAGMENT_SHADERS.screen),
    };
    this.sensor = new Sensor(gl, (vertex, fragment) => link(gl, vertex, fragment));
    // Linear filtering: the I420 packer averages chroma blocks with single fetches.
    this.scene = target(gl, FRAME_WIDTH, FRAME_HEIGHT, { depth: true, filter: gl.LINEAR });
    for (const subject of subjects.values()) {
      this.textures.set(`plate:${subject.id}`, this.texture(subject.plate));
      this.textures.set(`photo:${subject.id}`, this.texture(subject.photo));
      const rig = subject.rig;
      this.meshes.set(subject.id, this.mesh(rig.vertexCount, rig.uvs, rig.indices));
    }
    this.textures.set('room', this.texture(room));
    // A recorded I420 frame as three single-channel planes, converted in the shader.
    this.screen = [0, 1, 2].map(() => this.texture(null));
    this.quad = this.mesh(4, new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]), new Uint16Array([0, 1, 2, 0, 2, 3]));
  }

  /**
   * Renders one frame and captures it as the camera would: I420 bytes, top row first.
   * `screen` is the I420 frame a screen layer shows.
   */
  render(plan: FramePlan, screen?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    const gl = this.gl;
    if (screen) {
      const luma = FRAME_WIDTH * FRAME_HEIGHT;
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
      const planes: Array<[number, number, number]> = [
        [0, FRAME_WIDTH, FRAME_HEIGHT],
        [luma, FRAME_WIDTH / 2, FRAME_HEIGHT / 2],
        [luma * 1.25, FRAME_WIDTH / 2, FRAME_HEIGHT / 2],
      ];
      planes.forEach(([offset, w, h], i) => {
        gl.bindTexture(gl.TEXTURE_2D, this.screen[i]!);
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, w, h, 0, gl.RED, gl.UNSIGNED_BYTE, screen.subarray(offset, offset + w * h));
      });
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.scene.framebuffer);
    gl.viewport(0, 0, FRAME_WIDTH, FRAME_HEIGHT);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    for (const layer of plan.layers) this.draw(layer, plan.camera);
    return this.sensor.capture(this.scene.texture, plan);
  }

  /** Makes a program current, with the given uniforms. */
  private use(kind: ProgramKind, uniforms: Record<string, number | number[]> = {}): void {
    const gl = this.gl;
    const program = this.programs[kind];
    gl.useProgram(program);
    for (const [name, value] of Object.entries(uniforms)) {
      const at = gl.getUniformLocation(program, name);
      if (typeof value === 'number') gl.uniform1f(at, value);
      else if (value.length === 2) gl.uniform2fv(at, value);
      else gl.uniform4fv(at, value);
    }
  }

  private draw(layer: Layer, camera: Camera): void {
    const gl = this.gl;
    switch (layer.type) {
      case 'room': {
        const corners = [
          [0, 0],
          [PLATE_WIDTH, 0],
          [PLATE_WIDTH, PLATE_HEIGHT],
          [0, PLATE_HEIGHT],
        ].map(([x, y]) => flat(x! - PLATE_ORIGIN_X - FRAME_WIDTH / 2, y! - PLATE_ORIGIN_Y - FRAME_HEIGHT / 2, camera));
        this.use('plain', { uColour: [0, 0, 0, 0] });
        this.drawQuad(corners.flat(), 'room');
        return;
      }
      case 'person': {
        const subject = this.subjects.get(layer.subject);
        if (!subject) throw new Error(`unknown subject ${layer.subject}`);
        const mesh = this.meshes.get(layer.subject)!;
        const posed = subject.rig.pose(layer, camera);
        gl.enable(gl.DEPTH_TEST);
        gl.depthFunc(gl.LESS);
        gl.clear(gl.DEPTH_BUFFER_BIT);
        if (layer.view) {
          gl.enable(gl.SCISSOR_TEST);
          gl.scissor(layer.view.left, 0, layer.view.right - layer.view.left, FRAME_HEIGHT);
        }
        this.use('plain', { uColour: [0, 0, 0, 0] });
        this.drawMesh(mesh, posed.positions, posed.tints, `plate:${layer.subject}`);
        gl.disable(gl.SCISSOR_TEST);
        gl.disable(gl.DEPTH_TEST);
        return;
      }
      case 'print':
        this.drawPrint(layer, camera);
        return;
      case 'screen':
        this.drawScreen(layer, camera);
        return;
    }
  }

  private drawPrint(layer: PrintLayer, camera: Camera): void {
    const subject = this.subjects.get(layer.subject)!;
    const aspect = subject.photo.width / subject.photo.height;
    const margin = 0.06 * layer.plane.height;
    const height = layer.plane.height;
    const width = height * aspect;
    this.use('plain', { uColour: [0.93, 0.92, 0.88, 1] });
    this.drawQuad(plane(layer.plane, width + 2 * margin, height + 2 * margin, camera), 'room');
    this.use('paper', { uSheen: [layer.sheen, layer.sheenX] });
    this.drawQuad(plane(layer.plane, width, height, camera), `photo:${layer.subject}`);
  }

  private drawScreen(layer: ScreenLayer, camera: Camera): void {
    const gl = this.gl;
    const height = layer.plane.height;
    const width = (height * FRAME_WIDTH) / FRAME_HEIGHT;
    const bezel = 0.05 * height;
    this.use('plain', { uColour: [0.05, 0.05, 0.06, 1] });
    this.drawQuad(plane(layer.plane, width + 2 * bezel, height + 2.6 * bezel, camera), 'room');
    const g = layer.glare;
    this.use('screen', {
      uGrid: [FRAME_WIDTH * 1.35, FRAME_HEIGHT * 1.35],
      uPhase: layer.moirePhase,
      uGlare: [g.x, g.y, g.radius, g.strength],
    });
    const program = this.programs.screen;
    this.screen.forEach((texture, i) => {
      gl.activeTexture(gl.TEXTURE1 + i);
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.uniform1i(gl.getUniformLocation(program, ['uY', 'uU', 'uV'][i]!), 1 + i);
    });
    this.drawQuad(plane(layer.plane, width, height, camera));
  }

  private drawQuad(clip: number[], texture?: string): void {
    this.drawMesh(this.quad, new Float32Array(clip), new Float32Array(16), texture);
  }

  private drawMesh(mesh: Mesh, positions: Float32Array<ArrayBuffer>, tints: Float32Array<ArrayBuffer>, texture?: string): void {
    const gl = this.gl;
    for (const [location, buffer, data, size] of [
      [0, mesh.positions, positions, 4],
      [1, mesh.uvs, undefined, 2],
      [2, mesh.tints, tints, 4],
    ] as const) {
      gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
      if (data) gl.bufferData(gl.ARRAY_BUFFER, data, gl.DYNAMIC_DRAW);
      gl.vertexAttribPointer(location, size, gl.FLOAT, false, 0, 0);
      gl.enableVertexAttribArray(location);
    }
    if (texture) {
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, this.textures.get(texture)!);
      gl.uniform1i(gl.getUniformLocation(gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram, 'uTex'), 0);
    }
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, mesh.indices);
    gl.drawElements(gl.TRIANGLES, mesh.count, gl.UNSIGNED_SHORT, 0);
  }

  private mesh(vertices: number, uvs: Float32Array<ArrayBuffer>, indices: Uint16Array<ArrayBuffer>): Mesh {
    const gl = this.gl;
    const buffer = (target: number, data: BufferSource, usage: number): WebGLBuffer => {
      const b = gl.createBuffer()!;
      gl.bindBuffer(target, b);
      gl.bufferData(target, data, usage);
      return b;
    };
    return {
      positions: buffer(gl.ARRAY_BUFFER, new Float32Array(vertices * 4), gl.DYNAMIC_DRAW),
      tints: buffer(gl.ARRAY_BUFFER, new Float32Array(vertices * 4), gl.DYNAMIC_DRAW),
      uvs: buffer(gl.ARRAY_BUFFER, uvs, gl.STATIC_DRAW),
      indices: buffer(gl.ELEMENT_ARRAY_BUFFER, indices, gl.STATIC_DRAW),
      count: indices.length,
    };
  }

  private texture(source: OffscreenCanvas | ImageBitmap | null): WebGLTexture {
    const gl = this.gl;
    const texture = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, texture);
    if (source) gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, source);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    // No mipmaps: SwiftShader's trilinear sampling costs much time, and the frame shows
    // every texture at roughly its own scale.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    return texture;
  }
}

/** A point on a plane facing the camera at the face's depth (no perspective), to clip space. */
function flat(x: number, y: number, camera: Camera): number[] {
  const [sx, sy] = viewOf(x, y, camera);
  return [sx / (FRAME_WIDTH / 2), -sy / (FRAME_HEIGHT / 2), 0, 1];
}

/**
 * Corners of a rectangle (width × height frame pixels) posed in front of the camera, as
 * homogeneous clip coordinates, so the GPU maps its texture with true perspective.
 */
function plane(state: PlaneState, width: number, height: number, camera: Camera): number[] {
  const r = rotationMatrix(state.yaw, state.pitch, state.roll);
  const out: number[] = [];
  for (const [u, v] of [
    [-0.5, -0.5],
    [0.5, -0.5],
    [0.5, 0.5],
    [-0.5, 0.5],
  ] as const) {
    const x = u * width;
    const y = v * height;
    const cx = r[0]! * x + r[1]! * y + state.x - FRAME_WIDTH / 2;
    const cy = r[3]! * x + r[4]! * y + state.y - FRAME_HEIGHT / 2;
    const cz = r[6]! * x + r[7]! * y + FOCAL;
    const [sx, sy] = viewOf((FOCAL * cx) / cz, (FOCAL * cy) / cz, camera);
    const w = cz / FOCAL;
    out.push((sx / (FRAME_WIDTH / 2)) * w, (-sy / (FRAME_HEIGHT / 2)) * w, 0, w);
  }
  return out;
}

/** Camera sway: roll and zoom about the frame centre, then a shift (pixels from the centre). */
function viewOf(x: number, y: number, camera: Camera): [number, number] {
  const a = (camera.roll * Math.PI) / 180;
  const cos = Math.cos(a) * camera.scale;
  const sin = Math.sin(a) * camera.scale;
  return [cos * x - sin * y + camera.dx, sin * x + cos * y + camera.dy];
}

function link(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const program = gl.createProgram()!;
  for (const [type, source] of [
    [gl.VERTEX_SHADER, vertex],
    [gl.FRAGMENT_SHADER, fragment],
  ] as const) {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader) ?? 'shader');
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? 'link');
  return program;
}
