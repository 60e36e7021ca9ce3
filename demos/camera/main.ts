/**
 * The camera demo page: controls, stats, and `window.quantgpuCamera` for the browser test.
 * URL parameters (all optional): model=<url>, int8=<url of a QDQ model used for int8/mixed>, size=<input side>,
 * decoder=auto|yolox|yolov5|yolov8|fastestdet, precision=fp32|int8|mixed, mirror=1, conf=<0..1>,
 * feed=host (read the preprocessed tensor back and use run() instead of runGpu; for comparison).
 */
import { CameraSource, type FrameDetector, fetchModel, withInputSize } from '../../src/camera/index.ts';
import { acquireDevice } from '../../src/gpu/device.ts';
import type { DecoderKind } from '../../src/post/detect.ts';
import type { Precision } from '../../src/runtime/api.ts';
import { CameraApp, type Snapshot } from './app.ts';

declare const __QUANTGPU_ASSETS_URL__: string;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const ASSET_MODELS: [string, string][] = [
  ['YOLOX-nano (COCO, 416)', `${__QUANTGPU_ASSETS_URL__}yolox_nano_coco_416.onnx`],
  ['FastestDet (COCO, 352)', `${__QUANTGPU_ASSETS_URL__}fastestdet_coco_352.onnx`],
];

/** What the next detector is built from. */
const settings = {
  model: params.get('model') ?? ASSET_MODELS[0][1],
  int8Model: params.get('int8') ?? undefined,
  bytes: undefined as Uint8Array | undefined,
  size: Number(params.get('size')) || undefined,
  decoder: (params.get('decoder') ?? 'auto') as DecoderKind | 'auto',
  precision: (params.get('precision') ?? 'fp32') as Precision,
  mirror: params.get('mirror') === '1',
  conf: Number(params.get('conf') ?? 0.3),
};

const status = (msg: string, error = false) => {
  $('status').textContent = msg;
  $('status').className = error ? 'error' : '';
  (error ? console.error : console.log)(`[camera] ${msg}`);
};

const cache = new Map<string, Promise<Uint8Array>>();
const bytesOf = (url: string) => {
  if (!cache.has(url)) cache.set(url, fetchModel(url));
  return cache.get(url)!;
};

let app: CameraApp;

/** Builds a detector from the current settings; the running one keeps going until it is ready. */
async function rebuild(): Promise<FrameDetector> {
  const quantized = settings.precision !== 'fp32' && settings.int8Model;
  const label = quantized ? settings.int8Model! : settings.bytes ? 'picked file' : settings.model;
  status(`loading ${label} (${settings.precision}${settings.size ? `, ${settings.size}px` : ''})...`);
  const t0 = performance.now();
  try {
    let bytes = quantized ? await bytesOf(settings.int8Model!) : settings.bytes ?? (await bytesOf(settings.model));
    if (settings.size) bytes = withInputSize(bytes, settings.size);
    const det = await app.load(bytes, {
      precision: settings.precision, decoder: settings.decoder, mirror: settings.mirror, confThreshold: settings.conf,
      feed: params.get('feed') === 'host' ? 'host' : 'gpu',
    });
    status(`${label}: ${det.decoder.kind} decoder, input ${det.inputWidth}x${det.inputHeight}, ${settings.precision}, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    document.querySelectorAll<HTMLInputElement>('input[name=precision]').forEach((r) => (r.checked = r.value === settings.precision));
    return det;
  } catch (e) {
    status(`could not load ${label} at ${settings.precision}: ${(e as Error).message}`, true);
    throw e;
  }
}

function showStats(a: CameraApp): void {
  const { fps, times: t, frames, detections } = a.stats;
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1).padStart(7) : '      -');
  const det = a.detector;
  $('stats').innerHTML = `<b>${Number.isFinite(fps) ? fps.toFixed(fps < 10 ? 2 : 1) : '-'} FPS</b>  frame ${frames}, ${detections} boxes` +
    `${det ? `, ${det.decoder.kind} ${det.inputWidth}x${det.inputHeight}` : ''}\n` +
    `preprocess ${ms(t.preprocess)} ms   inference ${ms(t.inference)} ms   decode+NMS ${ms(t.postprocess)} ms   draw ${ms(t.draw)} ms`;
}

function wireControls(): void {
  const select = $('model') as HTMLSelectElement;
  select.innerHTML = ASSET_MODELS.map(([label, url]) => `<option value="${url}">${label}</option>`).join('');
  if (!ASSET_MODELS.some(([, url]) => url === settings.model)) select.add(new Option(settings.model.split('/').pop()!, settings.model, true, true));
  select.value = settings.model;
  const reload = () => void rebuild().catch(() => {});
  select.onchange = () => Object.assign(settings, { model: select.value, bytes: undefined }) && reload();
  $('load-url').onclick = () => {
    const url = ($('url') as HTMLInputElement).value.trim();
    if (!url) return;
    select.add(new Option(url.split('/').pop()!, url, true, true));
    Object.assign(settings, { model: url, bytes: undefined });
    reload();
  };
  ($('file') as HTMLInputElement).onchange = async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) Object.assign(settings, { bytes: new Uint8Array(await file.arrayBuffer()) }) && reload();
  };
  const decoder = $('decoder') as HTMLSelectElement;
  decoder.value = settings.decoder;
  decoder.onchange = () => Object.assign(settings, { decoder: decoder.value }) && reload();
  const size = $('size') as HTMLSelectElement;
  size.value = settings.size ? String(settings.size) : '';
  size.onchange = () => Object.assign(settings, { size: Number(size.value) || undefined }) && reload();
  document.querySelectorAll<HTMLInputElement>('input[name=precision]').forEach((r) => {
    r.checked = r.value === settings.precision;
    r.onchange = () => void setPrecision(r.value as Precision).catch(() => {});
  });
  const mirror = $('mirror') as HTMLInputElement;
  mirror.checked = settings.mirror;
  mirror.onchange = () => setMirror(mirror.checked);
  const conf = $('conf') as HTMLInputElement;
  conf.value = String(settings.conf);
  $('conf-value').textContent = settings.conf.toFixed(2);
  conf.oninput = () => {
    settings.conf = Number(conf.value);
    $('conf-value').textContent = settings.conf.toFixed(2);
    if (app.detector) app.detector.confThreshold = settings.conf;
  };
}

/** Switches precision live; on failure the previous detector keeps running and the radio goes back. */
async function setPrecision(p: Precision): Promise<string> {
  const before = settings.precision;
  settings.precision = p;
  try {
    await rebuild();
    return p;
  } catch (e) {
    settings.precision = before;
    document.querySelectorAll<HTMLInputElement>('input[name=precision]').forEach((r) => (r.checked = r.value === before));
    throw e;
  }
}

function setMirror(on: boolean): void {
  settings.mirror = on;
  ($('mirror') as HTMLInputElement).checked = on;
  $('stage').classList.toggle('mirrored', on);
  if (app.detector) app.detector.mirror = on;
}

async function main(): Promise<void> {
  const gpu = await acquireDevice({ label: 'quantgpu-camera' });
  status('opening the camera...');
  const source = await CameraSource.open({ video: $('video') as HTMLVideoElement });
  $('stage').style.aspectRatio = `${source.video.videoWidth} / ${source.video.videoHeight}`;
  app = new CameraApp(source, $('overlay') as HTMLCanvasElement, gpu, showStats, (m) => status(m, true));
  wireControls();
  setMirror(settings.mirror);
  app.start();
  await rebuild();
}

declare global {
  interface Window {
    quantgpuCamera: {
      ready: Promise<void>;
      app: () => CameraApp;
      snapshot: () => Promise<Snapshot>;
      setPrecision: (p: Precision) => Promise<string>;
      setMirror: (on: boolean) => void;
      status: () => string;
    };
  }
}

window.quantgpuCamera = {
  ready: main(),
  app: () => app,
  snapshot: () => app.snapshot(),
  setPrecision,
  setMirror,
  status: () => $('status').textContent ?? '',
};
window.quantgpuCamera.ready.catch((e: Error) => status(`camera demo failed: ${e.message}`, true));
