/**
 * The library build (Vite library mode), two targets:
 *
 *   vite build -c vite.lib.config.ts              browser ES modules: dist/index.js, dist/camera.js (+ shared chunks)
 *   vite build -c vite.lib.config.ts --mode cli   Node entries: dist/cli.js (what bin/quantgpu.mjs runs), dist/ptq.js
 *
 * WGSL is imported with `?raw`, so every shader is a string inside the bundle. Dependencies stay external (the
 * app's bundler resolves them). The browser build fails when any module reachable from its entries imports a
 * Node built-in or a Node-only package, naming the importer. Type declarations come from tsconfig.lib.json
 * (scripts/build.mjs runs all three).
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { type Plugin, defineConfig } from 'vite';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
const deps = Object.keys(pkg.dependencies ?? {});
/** Packages that only work under Node: never reachable from the browser entries. */
export const NODE_ONLY = ['webgpu', 'jpeg-js', 'sharp', 'onnxruntime-node', 'puppeteer-core', 'vite', 'tsx'];

const isBuiltin = (id: string) => id.startsWith('node:') || builtinModules.includes(id.split('/')[0]);
const isDep = (list: string[]) => (id: string) => list.some((d) => id === d || id.startsWith(`${d}/`));

/** Fails the browser build on a Node-only import, with the chain's last link (importer -> import). */
function browserOnly(): Plugin {
  const nodeOnly = isDep(NODE_ONLY);
  return {
    name: 'quantgpu:browser-only',
    enforce: 'pre',
    resolveId(id, importer) {
      if (isBuiltin(id) || nodeOnly(id)) {
        this.error(`Node-only import '${id}' is reachable from the browser entry (imported by ${importer ?? '?'})`);
      }
      return null;
    },
  };
}

const browser = defineConfig({
  root,
  plugins: [browserOnly()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: {
      entry: { index: resolve(root, 'src/index.ts'), camera: resolve(root, 'src/camera/index.ts') },
      formats: ['es'],
    },
    rollupOptions: { external: isDep(deps.filter((d) => !NODE_ONLY.includes(d))) },
  },
});

const cli = defineConfig({
  root,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    sourcemap: true,
    ssr: true,
    rollupOptions: {
      input: { cli: resolve(root, 'src/cli/main.ts'), ptq: resolve(root, 'src/ptq/index.ts') },
      external: (id) => isBuiltin(id) || isDep([...deps, ...NODE_ONLY, 'onnxruntime-web', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'])(id),
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'cli-[name]-[hash].js' },
    },
  },
  ssr: { target: 'node', noExternal: [] },
});

export default defineConfig(({ mode }) => (mode === 'cli' ? cli : browser));
