/**
 * GPU preprocessing of camera frames: the frame is copied into a texture on the GPU
 * (`copyExternalImageToTexture`: no per-pixel work on the CPU), then one compute pass letterboxes, reorders
 * channels and normalizes it into an f32 buffer the detector reads. The geometry is the letterbox `mat3`
 * (src/pre/letterbox.ts): its inverse is the shader's uniform, and the same inverse maps boxes back.
 *
 * The CPU reference is `preprocessNCHW` (src/pre/preprocess.ts); test/camera-preprocess.test.ts compares them.
 */
import code from './preprocess.wgsl?raw';
import type { Letterbox } from '../pre/letterbox.ts';
import { inverseAffine, letterbox } from '../pre/letterbox.ts';
import { type PixelTransform, type RgbaImage, channelAffine } from '../pre/preprocess.ts';
import { type KernelSpec, ceilDiv, kernelKey, packUniforms } from '../shaders/kernel.ts';
import { scoped } from '../gpu/scopes.ts';

/** Order of the output tensor: `nchw` is what `session.run` takes; `nhwc` is the runtime's internal layout. */
export type InputLayout = 'nchw' | 'nhwc';

export interface PreprocessParams {
  layout: InputLayout;
}

const WG_X = 16;
const WG_Y = 8;

/**
 * The preprocessing kernel for one letterbox. Buffer bindings: output (f32, 3 * H * W), u. The frame texture
 * (rgba8unorm, `texture_2d<f32>`) is @binding(2), after the buffers, and is bound by `GpuPreprocessor`.
 */
export function preprocessKernel(params: PreprocessParams, lb: Letterbox, t: PixelTransform): KernelSpec {
  const { src, mul, add, pad } = channelAffine(t);
  const [x0, y0, x1, y1] = lb.content;
  return {
    name: 'camera_preprocess',
    key: kernelKey('camera_preprocess', params),
    code,
    entryPoint: 'main',
    constants: { WG_X, WG_Y, NHWC: params.layout === 'nhwc' ? 1 : 0 },
    bindings: [
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    dispatch: [ceilDiv(lb.inputWidth, WG_X), ceilDiv(lb.inputHeight, WG_Y), 1],
    uniforms: packUniforms([
      ...inverseAffine(lb).map((v): ['f32', number] => ['f32', v]),
      ['u32', lb.inputWidth], ['u32', lb.inputHeight],
      ['u32', x0], ['u32', y0], ['u32', x1], ['u32', y1],
      ['u32', lb.frameWidth], ['u32', lb.frameHeight],
      ...src.map((s): ['u32', number] => ['u32', s]),
      ...mul.map((m): ['f32', number] => ['f32', m]),
      ...add.map((a): ['f32', number] => ['f32', a]),
      ['f32', pad],
    ]),
  };
}

/** A frame to preprocess: anything `copyExternalImageToTexture` takes (video, ImageBitmap, VideoFrame), or RGBA bytes. */
export type FrameInput = { source: GPUCopyExternalImageSource; width: number; height: number } | RgbaImage;

export interface GpuPreprocessorOptions {
  inputWidth: number;
  inputHeight: number;
  pixels: PixelTransform;
  layout?: InputLayout;
}

/**
 * Owns the GPU objects of preprocessing: frame texture (remade only when the frame size changes), uniform and
 * output buffers, one readback buffer. Nothing is allocated per frame.
 */
export class GpuPreprocessor {
  /** The preprocessed tensor, f32, `layout` order, 3 * inputHeight * inputWidth values. */
  readonly output: GPUBuffer;
  private readonly uniforms: GPUBuffer;
  private readonly readback: GPUBuffer;
  private texture?: GPUTexture;
  private bindGroup?: GPUBindGroup;
  private spec?: KernelSpec;
  /** Set once a direct copy from a <video> has failed on this device. */
  private videoViaBitmap = false;

  private constructor(
    readonly device: GPUDevice,
    readonly opts: Required<GpuPreprocessorOptions>,
    private readonly pipeline: GPUComputePipeline,
  ) {
    const bytes = 3 * opts.inputWidth * opts.inputHeight * 4;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.output = device.createBuffer({ label: 'camera_preprocess:output', size: bytes, usage });
    this.uniforms = device.createBuffer({ label: 'camera_preprocess:u', size: 96, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.readback = device.createBuffer({ label: 'camera_preprocess:readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Compiles the kernel (with an error scope: a failure names the kernel and the compiler's message). */
  static async create(device: GPUDevice, options: GpuPreprocessorOptions): Promise<GpuPreprocessor> {
    const opts = { layout: 'nchw' as const, ...options };
    const { code: wgsl, constants, key } = preprocessKernel({ layout: opts.layout }, letterbox(1, 1, opts.inputWidth, opts.inputHeight), opts.pixels);
    // Scopes only around synchronous calls: a scope held across an await would also catch other work's errors.
    const [layout, module] = await scoped(device, `creating the camera preprocessing kernel ${key}`, () => [
      device.createPipelineLayout({
        label: key,
        bindGroupLayouts: [device.createBindGroupLayout({
          label: key,
          entries: [
            { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
            { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
            { binding: 2, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'float' } },
          ],
        })],
      }),
      device.createShaderModule({ label: key, code: wgsl }),
    ] as const);
    const pipeline = await device.createComputePipelineAsync({
      label: key,
      layout,
      compute: { module, entryPoint: 'main', constants },
    }).catch(async (e: Error) => {
      const info = await module.getCompilationInfo();
      throw new Error(`camera_preprocess: pipeline ${key} failed: ${e.message}\n${info.messages.map((m) => m.message).join('\n')}`);
    });
    return new GpuPreprocessor(device, opts, pipeline);
  }

  /**
   * Copies a frame into the frame texture, on the GPU. Some configurations cannot copy from a <video> or
   * VideoFrame directly (Chromium on SwiftShader: "Failed to copy content from video element"); there the frame
   * goes through `createImageBitmap`, still without touching pixels on the CPU in our code, from then on.
   */
  async upload(frame: FrameInput): Promise<void> {
    const { width, height } = frame;
    this.ensureTexture(width, height);
    const texture = this.texture!;
    if (!('source' in frame)) {
      this.device.queue.writeTexture({ texture }, frame.data as Uint8Array<ArrayBuffer>, { bytesPerRow: width * 4 }, [width, height]);
      return;
    }
    const isVideo = typeof HTMLVideoElement !== 'undefined' && frame.source instanceof HTMLVideoElement;
    if (!(isVideo && this.videoViaBitmap)) {
      try {
        this.device.queue.copyExternalImageToTexture({ source: frame.source }, { texture }, [width, height]);
        return;
      } catch (e) {
        if (!isVideo) throw e;
        this.videoViaBitmap = true;
        console.warn(`camera_preprocess: direct video copy failed (${(e as Error).message}); using createImageBitmap`);
      }
    }
    const bitmap = await createImageBitmap(frame.source as HTMLVideoElement);
    try {
      this.device.queue.copyExternalImageToTexture({ source: bitmap }, { texture }, [width, height]);
    } finally {
      bitmap.close();
    }
  }

  /** Sets the letterbox (uniforms are rewritten only when the geometry or pixel transform changes). */
  setLetterbox(lb: Letterbox): void {
    const { inputWidth: w, inputHeight: h } = this.opts;
    if (lb.inputWidth !== w || lb.inputHeight !== h) throw new Error(`camera_preprocess: letterbox for ${lb.inputWidth}x${lb.inputHeight}, preprocessor for ${w}x${h}`);
    const spec = preprocessKernel({ layout: this.opts.layout }, lb, this.opts.pixels);
    if (this.spec && sameWords(this.spec.uniforms!, spec.uniforms!)) return;
    this.spec = spec;
    this.device.queue.writeBuffer(this.uniforms, 0, spec.uniforms!);
  }

  /** Records the preprocessing dispatch (after `upload` and `setLetterbox`). */
  encode(encoder: GPUCommandEncoder): void {
    if (!this.spec || !this.bindGroup) throw new Error('camera_preprocess: encode() before upload() and setLetterbox()');
    const pass = encoder.beginComputePass({ label: 'camera_preprocess' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(...this.spec.dispatch);
    pass.end();
  }

  /** Encodes and submits the dispatch, and copies the output to the readback buffer when `read` is set. */
  submit(read = false): void {
    const enc = this.device.createCommandEncoder({ label: 'camera_preprocess' });
    this.encode(enc);
    if (read) enc.copyBufferToBuffer(this.output, 0, this.readback, 0, this.output.size);
    this.device.queue.submit([enc.finish()]);
  }

  /** Preprocesses and reads the tensor back (the path used until the session takes GPU inputs). */
  async runToHost(): Promise<Float32Array> {
    this.submit(true);
    await this.readback.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(this.readback.getMappedRange().slice(0));
    this.readback.unmap();
    return out;
  }

  /** Reads the frame texture back as RGBA8 (tests and debugging: the exact pixels the model saw). */
  async readFrame(): Promise<RgbaImage> {
    if (!this.texture) throw new Error('camera_preprocess: no frame uploaded yet');
    const { width, height } = this.texture;
    const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    const buf = this.device.createBuffer({ label: 'camera_preprocess:frame-readback', size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder({ label: 'camera_preprocess:frame-readback' });
    enc.copyTextureToBuffer({ texture: this.texture }, { buffer: buf, bytesPerRow }, [width, height]);
    this.device.queue.submit([enc.finish()]);
    await buf.mapAsync(GPUMapMode.READ);
    const rows = new Uint8Array(buf.getMappedRange());
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) data.set(rows.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
    buf.unmap();
    buf.destroy();
    return { width, height, data };
  }

  dispose(): void {
    [this.output, this.uniforms, this.readback].forEach((b) => b.destroy());
    this.texture?.destroy();
  }

  private ensureTexture(width: number, height: number): void {
    if (this.texture && this.texture.width === width && this.texture.height === height) return;
    this.texture?.destroy();
    this.texture = this.device.createTexture({
      label: `camera_preprocess:frame ${width}x${height}`,
      size: [width, height],
      format: 'rgba8unorm',
      // RENDER_ATTACHMENT is required by copyExternalImageToTexture; COPY_SRC lets tests read the frame back.
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | GPUTextureUsage.RENDER_ATTACHMENT,
    });
    this.bindGroup = this.device.createBindGroup({
      label: 'camera_preprocess',
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.output } },
        { binding: 1, resource: { buffer: this.uniforms } },
        { binding: 2, resource: this.texture.createView() },
      ],
    });
  }
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
