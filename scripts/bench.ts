/**
 * `npm run bench`: the default benchmark matrix in headless Chromium (or `--node`: quantgpu on Dawn plus
 * onnxruntime-node CPU), printed as a markdown table with each runtime's ratio to onnxruntime-web WebGPU FP32,
 * saved as bench-results/<date>.json and .html.
 *
 *   --models resnet8,resnet18   --runtimes quantgpu,ort-webgpu   --precisions fp32,int8
 *   --frames 10 --warmup 3      --full (full input sizes)        --size 96 (fixture input side)
 *   --node                      --gpu (real-GPU Chromium flags)  --headful
 *   --cell-timeout 90 (s: a cell over it is recorded as `timeout`, the page is replaced, the run goes on)
 *   --budget 8 (s of timed frames per cell; at least 3 frames run, so slow cells report fewer frames)
 *
 * bench-results/<start time>.json is rewritten after every cell ("complete": false until the end).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MODELS, QUANT_VARIANTS, type QuantVariant, findModel, type ModelEntry } from '../src/bench/models.ts';
import { qdqVariant } from '../src/bench/cells.ts';
import { benchCell, type FrameRunner } from '../src/bench/runner.ts';
import { addSpeedups, markdownTable } from '../src/bench/stats.ts';
import { RUNTIMES, type BenchReport, type BenchRow, type RuntimeId } from '../src/bench/types.ts';
import type { Precision } from '../src/runtime/api.ts';
import { ASSETS, GENERATED, ROOT, ensureQdq, modelPath, qdqPath } from './bench-models.ts';
import { reportHtml } from './report-html.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string' }, runtimes: { type: 'string' }, precisions: { type: 'string', default: 'fp32,int8' },
    frames: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' }, size: { type: 'string' },
    full: { type: 'boolean', default: false }, node: { type: 'boolean', default: false }, gpu: { type: 'boolean', default: false },
    headful: { type: 'boolean', default: false }, seed: { type: 'string', default: '1234' },
    'cell-timeout': { type: 'string', default: '90' }, budget: { type: 'string', default: '8' },
  },
});

const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
const models: ModelEntry[] = list(args.models)?.map(findModel) ?? MODELS.filter((m) => m.default);
const precisions = (list(args.precisions) ?? ['fp32']) as Precision[];
const settings = { frames: Number(args.frames), warmup: Number(args.warmup), seed: Number(args.seed), budgetMs: Number(args.budget) * 1000 };
const sizeOf = (m: ModelEntry) => (m.kind === 'asset' ? m.size : Number(args.size) || (args.full ? m.fullSize : m.size));
const t0 = Date.now();
const started = new Date(t0).toISOString();
const stamp = started.replace(/[:.]/g, '-');
const paths = { json: resolve(ROOT, `bench-results/${stamp}.json`), html: resolve(ROOT, `bench-results/${stamp}.html`) };
mkdirSync(resolve(ROOT, 'bench-results'), { recursive: true });
/** Rewrites the run's JSON (called after every cell: a crash or Ctrl-C keeps what finished; `complete` marks the end). */
const save = (r: BenchReport & { complete?: boolean }) => writeFileSync(paths.json, JSON.stringify({ complete: false, ...r }, null, 1));
const log = (m: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}`);

/** Generates missing fixtures; returns ids whose QDQ export exists, and rows for models that could not be made. */
async function prepareModels(runtimes: RuntimeId[]): Promise<{ ready: ModelEntry[]; missing: BenchRow[] }> {
  const ready: ModelEntry[] = [], missing: BenchRow[] = [];
  for (const m of models) {
    const size = sizeOf(m);
    const { path, error } = await modelPath(m, size);
    if (!path) {
      log(`${m.id}: ${error}`);
      for (const runtime of runtimes) missing.push({ model: m.id, modelLabel: m.label, inputDims: [1, 3, size, size], runtime, precision: runtime.endsWith('-qdq') ? 'qdq' : 'fp32', status: 'not available', message: error });
      continue;
    }
    ready.push(m);
    const variants = new Set<QuantVariant>(runtimes.includes('quantgpu') ? QUANT_VARIANTS.filter((v) => precisions.includes(v)) : []);
    if (runtimes.some((r) => r.endsWith('-qdq'))) variants.add('int8');
    for (const v of variants) {
      if (qdqPath(m, size, v)) continue;
      log(`${m.id}: quantizing to a ${v} QDQ model (random calibration: for speed only)`);
      try {
        await ensureQdq(m, size, path, v);
      } catch (e) {
        log(`${m.id}: ${v} export failed: ${(e as Error).message}`);
      }
    }
  }
  return { ready, missing };
}

async function runBrowser(): Promise<BenchReport> {
  const runtimes = (list(args.runtimes) ?? RUNTIMES) as RuntimeId[];
  const { ready, missing } = await prepareModels(runtimes);
  const { serve } = await import('../src/node/serve.ts');
  const { launchChromium } = await import('../src/node/chromium.ts');
  const { runCells } = await import('./bench-browser.ts');
  const server = await serve();
  const cellTimeoutMs = Number(args['cell-timeout']) * 1000;
  const report: BenchReport = { date: started, userAgent: '', adapter: '', settings, rows: [...missing] };
  save(report);
  // One page.evaluate per cell: a slow or wedged cell costs its own row only (see scripts/bench-browser.ts).
  const cells = ready.flatMap((m) => runtimes.flatMap((runtime) => {
    const ps: (Precision | 'qdq')[] = runtime === 'quantgpu' ? precisions : [runtime.endsWith('-qdq') ? 'qdq' : 'fp32'];
    return ps.map((p) => ({
      cfg: { models: [m.id], size: m.kind === 'asset' ? undefined : sizeOf(m), runtimes: [runtime], precisions: runtime === 'quantgpu' ? [p as Precision] : precisions, ...settings },
      blank: { model: m.id, modelLabel: m.label, inputDims: [1, 3, sizeOf(m), sizeOf(m)], runtime, precision: p },
    }));
  }));
  log(`${cells.length} cells, at most ${cellTimeoutMs / 1000} s each; rows are saved to ${paths.json} as they finish`);
  try {
    const out = await runCells(cells, {
      url: `${server.url}demos/bench/index.html`, cellTimeoutMs, log, screenshot: resolve(ROOT, 'bench-results/last-page.png'),
      // puppeteer's own protocol timeout stays above the cell limit, so that the cell limit decides.
      launch: () => launchChromium({ gpu: args.gpu ? 'gpu' : 'swiftshader', headless: !args.headful, logPrefix: '  [page]', protocolTimeout: cellTimeoutMs + 60_000 }),
    }, (row, rows) => {
      report.rows = addSpeedups([...missing, ...rows]);
      save(report);
      log(`${row.model} ${row.runtime}/${row.precision}: ${row.status}${row.fps ? ` ${row.fps.toFixed(2)} FPS` : ` ${row.message ?? ''}`}`);
    });
    return { ...report, userAgent: out.userAgent, adapter: out.adapter };
  } finally {
    await server.close();
  }
}

/** --node: quantgpu on Dawn and onnxruntime-node CPU, same loop as the page. */
async function runNode(): Promise<BenchReport> {
  const runtimes = (list(args.runtimes) ?? ['quantgpu', 'ort-node-cpu']) as RuntimeId[];
  const { ready, missing } = await prepareModels(runtimes);
  const { nodeGpu } = await import('../src/node/gpu.ts');
  const { quantgpuRunner } = await import('./../src/bench/quantgpu.ts');
  const gpu = await nodeGpu();
  const rows: BenchRow[] = [...missing];
  for (const m of ready) {
    const size = sizeOf(m);
    const bytes = new Uint8Array(readFileSync((await modelPath(m, size)).path!));
    const qdqBytes = (v: QuantVariant) => {
      const q = qdqPath(m, size, v);
      return q ? new Uint8Array(readFileSync(q)) : undefined;
    };
    const ref = { id: m.id, label: m.label, url: '', inputDims: [1, 3, size, size], inputRange: m.inputRange };
    for (const runtime of runtimes) {
      const cells: (Precision | 'qdq')[] = runtime === 'quantgpu' ? precisions : ['fp32'];
      for (const p of cells) {
        const factory = runtime === 'quantgpu'
          ? (b: Uint8Array) => quantgpuRunner(() => import('../src/index.ts' as string), b, p as Precision, { gpu })
          : runtime === 'ort-node-cpu' ? ortNodeRunner : () => Promise.reject(new Error(`not available: ${runtime} runs only in the browser`));
        log(`${m.id} ${runtime}/${p}`);
        const v = qdqVariant(runtime, p);
        const cellBytes = v ? qdqBytes(v) : bytes;
        rows.push(await benchCell(ref, cellBytes, runtime, p, factory, settings, () => {}));
        save({ date: started, userAgent: `node ${process.version}`, adapter: '', settings, rows: addSpeedups([...rows]) });
        const r = rows[rows.length - 1];
        log(`  ${r.status}${r.fps ? ` ${r.fps.toFixed(2)} FPS` : ` ${r.message}`}`);
      }
    }
  }
  const adapter = await gpu.requestAdapter();
  return { date: new Date().toISOString(), userAgent: `node ${process.version}`, adapter: adapter ? `${adapter.info.vendor} ${adapter.info.description}` : 'none', settings, rows: addSpeedups(rows) };
}

async function ortNodeRunner(bytes: Uint8Array): Promise<FrameRunner> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    weightBytes: bytes.byteLength,
    async run(data, dims) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
      return { name: outputName, dims: [...out[outputName].dims], data: out[outputName].data as Float32Array };
    },
    describe: () => 'onnxruntime-node cpu',
    dispose: () => session.release(),
  };
}

const report = args.node ? await runNode() : await runBrowser();
console.log(`\n${markdownTable(report.rows)}\n`);
save({ ...report, complete: true });
writeFileSync(paths.html, reportHtml(report, [`models: ${ASSETS} and ${GENERATED}`, `whole run: ${((Date.now() - t0) / 1000).toFixed(0)} s`]));
log(`wrote ${paths.json} and ${paths.html}`);
