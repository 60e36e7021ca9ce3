/**
 * The camera demo page: controls, stats, and `window.quantgpuCamera` for the browser test. Inference runs in a
 * worker (app.ts, worker.ts); this thread grabs frames and draws.
 * URL parameters (all optional): model=<url>, int8=<url of a QDQ model used for w8/mixed>, size=<input side>,
 * decoder=auto|yolox|yolov5|yolov8|fastestdet, precision=fp32|int8|mixed, mirror=1, conf=<0..1>,
 * feed=host (read the preprocessed tensor back and use run() instead of runGpu; for comparison).
 */
import { CameraSource, fetchModel } from '../../src/camera/index.ts';
import type { DecoderKind } from '../../src/post/detect.ts';
import type { Precision } from '../../src/runtime/api.ts';
import { PRECISION_MEANING } from '../../src/runtime/precision-names.ts';
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
  fileName: undefined as string | undefined,
  size: Number(params.get('size')) || undefined,
  decoder: (params.get('decoder') ?? 'auto') as DecoderKind | 'auto',
  precision: (params.get('precision') ?? 'fp32') as Precision,
  mirror: params.get('mirror') === '1',
  conf: Number(params.get('conf') ?? 0.3),
};
type Settings = typeof settings;

const status = (msg: string, error = false) => {
  $('status').textContent = msg;
  $('status').className = error ? 'error' : '';
  (error ? console.error : console.log)(`[camera] ${msg}`);
};

/** What the selected precision means for the model that will run it (a QDQ model makes w8 run as w8a8). */
function precisionMeaning(p: Precision): string {
  if (p !== 'fp32' && settings.int8Model) return `w8a8: ${PRECISION_MEANING.w8a8.replace(/ \(.*\)$/, '')}, from the QDQ model ${settings.int8Model.split('/').pop()}`;
  if (p === 'int8') return `w8: ${PRECISION_MEANING.w8}`;
  if (p === 'mixed') return `mixed: ${PRECISION_MEANING.mixed}`;
  return `fp32: ${PRECISION_MEANING.fp32}`;
}

const cache = new Map<string, Promise<Uint8Array>>();
const bytesOf = (url: string) => {
  if (!cache.has(url)) cache.set(url, fetchModel(url).catch((e) => (cache.delete(url), Promise.reject(e))));
  return cache.get(url)!;
};

let app: CameraApp;
/** Files picked and loaded successfully, by their entry in the model list (so they can be selected again). */
const pickedFiles = new Map<string, { name: string; bytes: Uint8Array }>();

/** Builds a detector from the current settings in the worker; the running one keeps going until it is ready. */
async function rebuild(): Promise<void> {
  const quantized = settings.precision !== 'fp32' && settings.int8Model;
  const label = quantized ? settings.int8Model! : settings.bytes ? settings.fileName ?? 'picked file' : settings.model;
  status(`loading ${label} (${settings.precision}${settings.size ? `, ${settings.size}px` : ''})...`);
  const t0 = performance.now();
  try {
    const bytes = quantized ? await bytesOf(settings.int8Model!) : settings.bytes ?? (await bytesOf(settings.model));
    const info = await app.load(bytes, settings.size, {
      precision: settings.precision, decoder: settings.decoder, mirror: settings.mirror, confThreshold: settings.conf,
      feed: params.get('feed') === 'host' ? 'host' : 'gpu',
    });
    status(`${label}: ${info.decoder} decoder, input ${info.inputWidth}x${info.inputHeight}, ${precisionMeaning(settings.precision)}; ` +
      `ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    document.querySelectorAll<HTMLInputElement>('input[name=precision]').forEach((r) => (r.checked = r.value === settings.precision));
  } catch (e) {
    status(`could not load ${label} at ${settings.precision}: ${(e as Error).message}; still running the previous model`, true);
    throw e;
  }
}

/**
 * Applies a settings change and rebuilds; on failure the settings go back, an entry added for it leaves the model
 * list, and the previous detector keeps running.
 */
async function tryChange(change: Partial<Settings>, added?: HTMLOptionElement): Promise<void> {
  const before = { ...settings };
  Object.assign(settings, change);
  try {
    await rebuild();
  } catch (e) {
    Object.assign(settings, before);
    added?.remove();
    syncControls();
    throw e;
  }
}

/** Puts the controls back in line with `settings` (after a refused change). */
function syncControls(): void {
  const select = $('model') as HTMLSelectElement;
  select.value = settings.bytes ? `file:${settings.fileName}` : settings.model;
  ($('decoder') as HTMLSelectElement).value = settings.decoder;
  ($('size') as HTMLSelectElement).value = settings.size ? String(settings.size) : '';
  document.querySelectorAll<HTMLInputElement>('input[name=precision]').forEach((r) => (r.checked = r.value === settings.precision));
  $('precision-meaning').textContent = precisionMeaning(settings.precision);
}

function showStats(a: CameraApp): void {
  const { fps, times: t, frames, detections, liveBuffers } = a.stats;
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1).padStart(7) : '      -');
  const det = a.info;
  $('stats').innerHTML = `<b>${Number.isFinite(fps) ? fps.toFixed(fps < 10 ? 2 : 1) : '-'} FPS</b>  frame ${frames}, ${detections} boxes` +
    `${det ? `, ${det.decoder} ${det.inputWidth}x${det.inputHeight}` : ''}, ${Number.isFinite(liveBuffers) ? liveBuffers : '-'} GPU buffers\n` +
    `preprocess ${ms(t.preprocess)} ms   inference ${ms(t.inference)} ms   decode+NMS ${ms(t.postprocess)} ms   draw ${ms(t.draw)} ms\n` +
    `shown: the frame the boxes were computed on, ${ms(t.latency).trim()} ms behind the camera (inference runs in a worker)`;
}

function wireControls(): void {
  const select = $('model') as HTMLSelectElement;
  select.innerHTML = ASSET_MODELS.map(([label, url]) => `<option value="${url}">${label}</option>`).join('');
  if (!ASSET_MODELS.some(([, url]) => url === settings.model)) select.add(new Option(settings.model.split('/').pop()!, settings.model, true, true));
  select.value = settings.model;
  const quiet = (p: Promise<void>) => void p.catch(() => {});
  select.onchange = () => {
    const file = pickedFiles.get(select.value);
    quiet(file ? tryChange({ bytes: file.bytes, fileName: file.name }) : tryChange({ model: select.value, bytes: undefined, fileName: undefined }));
  };
  $('load-url').onclick = () => {
    const url = ($('url') as HTMLInputElement).value.trim();
    if (!url) return;
    const option = new Option(url.split('/').pop()!, url, true, true);
    select.add(option);
    quiet(tryChange({ model: url, bytes: undefined, fileName: undefined }, option));
  };
  const fileInput = $('file') as HTMLInputElement;
  fileInput.onchange = async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    const option = new Option(`${file.name} (file)`, `file:${file.name}`, true, true);
    select.add(option);
    select.value = option.value;
    const bytes = new Uint8Array(await file.arrayBuffer());
    await tryChange({ bytes, fileName: file.name }, option).then(
      () => void pickedFiles.set(option.value, { name: file.name, bytes }),
      () => (fileInput.value = ''),
    );
  };
  const decoder = $('decoder') as HTMLSelectElement;
  decoder.value = settings.decoder;
  decoder.onchange = () => quiet(tryChange({ decoder: decoder.value as Settings['decoder'] }));
  const size = $('size') as HTMLSelectElement;
  size.value = settings.size ? String(settings.size) : '';
  size.onchange = () => quiet(tryChange({ size: Number(size.value) || undefined }));
  document.querySelectorAll<HTMLInputElement>('input[name=precision]').forEach((r) => {
    r.checked = r.value === settings.precision;
    r.onchange = () => quiet(setPrecision(r.value as Precision).then(() => {}));
  });
  $('precision-meaning').textContent = precisionMeaning(settings.precision);
  const mirror = $('mirror') as HTMLInputElement;
  mirror.checked = settings.mirror;
  mirror.onchange = () => setMirror(mirror.checked);
  const conf = $('conf') as HTMLInputElement;
  conf.value = String(settings.conf);
  $('conf-value').textContent = settings.conf.toFixed(2);
  conf.oninput = () => {
    settings.conf = Number(conf.value);
    $('conf-value').textContent = settings.conf.toFixed(2);
    app.conf = settings.conf;
  };
}

/** Switches precision live; on failure the previous detector keeps running and the radio goes back. */
async function setPrecision(p: Precision): Promise<string> {
  await tryChange({ precision: p });
  $('precision-meaning').textContent = precisionMeaning(p);
  return p;
}

function setMirror(on: boolean): void {
  settings.mirror = on;
  ($('mirror') as HTMLInputElement).checked = on;
  $('stage').classList.toggle('mirrored', on);
  app.mirror = on;
}

async function main(): Promise<void> {
  if (!navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  status('opening the camera...');
  const source = await CameraSource.open({ video: $('video') as HTMLVideoElement });
  $('stage').style.aspectRatio = `${source.video.videoWidth} / ${source.video.videoHeight}`;
  app = new CameraApp(source, $('frame') as HTMLCanvasElement, $('overlay') as HTMLCanvasElement, showStats, (m) => status(m, true));
  app.conf = settings.conf;
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
      /** Loads a model by URL as the URL box does (adds an entry; a failure removes it again). */
      loadUrl: (url: string) => Promise<string>;
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
  loadUrl: async (url) => {
    ($('url') as HTMLInputElement).value = url;
    const select = $('model') as HTMLSelectElement;
    const option = new Option(url.split('/').pop()!, url, true, true);
    select.add(option);
    await tryChange({ model: url, bytes: undefined, fileName: undefined }, option);
    return url;
  },
  status: () => $('status').textContent ?? '',
};
window.quantgpuCamera.ready.catch((e: Error) => status(`camera demo failed: ${e.message}`, true));
