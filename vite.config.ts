/**
 * The one Vite config for the demos, the benchmark page and the browser tests. Root is the project, so pages
 * import `src/` directly and `?raw` WGSL works as under the library build. Multi-page: every `index.html`
 * under demos/ that exists becomes a build input (demos/bench now, demos/camera later).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
/** Labeled data (not in git) may live next to the project: see src/eval/assets.ts. Models are committed in models/. */
const sharedAssets = resolve(root, '../shared');
const envAssets = process.env.QUANTGPU_ASSETS ? [resolve(process.env.QUANTGPU_ASSETS)] : [];

const pages = ['index.html', 'demos/bench/index.html', 'demos/camera/index.html'].filter((p) => existsSync(resolve(root, p)));

export default defineConfig({
  root,
  // Where pages find the default models: the committed models/ folder, served from the project root.
  define: { __QUANTGPU_ASSETS_URL__: JSON.stringify('/models/') },
  // Cross-origin isolation lets onnxruntime-web use threads (SharedArrayBuffer); `credentialless` still allows
  // loading a model from another origin by URL.
  server: {
    host: 'localhost',
    strictPort: false,
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' },
    fs: { allow: [root, sharedAssets, ...envAssets] },
  },
  preview: {
    host: 'localhost',
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' },
  },
  // onnxruntime-web loads its own .mjs/.wasm at run time from `ort.env.wasm.wasmPaths`; pre-bundling breaks that.
  // The others are pre-bundled at startup: discovering them on first dynamic import would reload the page mid-run.
  // No discovery at run time: a dependency found on a later dynamic import would reload the page mid-benchmark.
  optimizeDeps: {
    noDiscovery: true,
    exclude: ['onnxruntime-web'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', 'protobufjs', 'gl-matrix', 'long'],
    entries: [...pages, 'test/browser/*.html'],
  },
  // The camera demo's inference worker is an ES module (WebGPU browsers all support module workers).
  worker: { format: 'es' },
  build: {
    outDir: 'build/demos',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: Object.fromEntries(pages.map((p) => [p.replace(/\/index\.html$|\.html$/, '').replace(/\//g, '_'), resolve(root, p)])) },
  },
});
