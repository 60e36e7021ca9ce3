/**
 * The library build (scripts/build.mjs): browser ES modules with the shaders inside, no Node-only import
 * reachable from the browser entries, type declarations that resolve, and a Node CLI that runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NODE_ONLY } from '../vite.lib.config.ts';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');

/** Import specifiers (static, re-export and dynamic) of an ES module's text. */
function importsOf(code: string): string[] {
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...code.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Every module file reachable from `entry` through relative imports, and the bare imports they make. */
function reachable(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.includes(f)) continue;
    files.push(f);
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (spec.startsWith('.')) todo.push(resolve(f, '..', spec));
      else bare.add(spec);
    }
  }
  return { files, bare };
}

describe('npm run build (library mode)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  }, 180_000);

  it('emits the browser entries, the CLI and the declarations', () => {
    for (const f of ['index.js', 'camera.js', 'cli.js', 'ptq.js', 'types/index.d.ts', 'types/camera/index.d.ts', 'types/ptq/index.d.ts']) {
      expect(existsSync(join(dist, f)), `dist/${f}`).toBe(true);
    }
  });

  it('reaches no Node built-in or Node-only package from the browser entries', () => {
    for (const entry of ['index.js', 'camera.js']) {
      const { files, bare } = reachable(join(dist, entry));
      expect(files.length).toBeGreaterThan(1);
      const nodeOnly = [...bare].filter((s) => s.startsWith('node:') || builtinModules.includes(s) || NODE_ONLY.some((p) => s === p || s.startsWith(`${p}/`)));
      expect(nodeOnly, `${entry} reaches ${nodeOnly.join(', ')}`).toEqual([]);
      // Dependencies stay external: the app's bundler resolves them once.
      expect([...bare].sort(), entry).toEqual(expect.arrayContaining(entry === 'camera.js' ? ['gl-matrix', 'protobufjs'] : ['protobufjs']));
    }
  });

  it('every bare import of the Node entries is a Node built-in or declared: dependencies, optionalDependencies, or an optional peer', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const deps = Object.keys(pkg.dependencies ?? {});
    const optional = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((k) => pkg.peerDependenciesMeta[k].optional && pkg.peerDependencies?.[k]);
    // A browser-only app never installs Dawn or onnxruntime-node: both are optional peers, neither a dependency.
    expect(optional.sort()).toEqual(['onnxruntime-node', 'webgpu']);
    expect(deps.filter((d) => NODE_ONLY.includes(d) && d !== 'jpeg-js')).toEqual([]);
    for (const entry of ['cli.js', 'ptq.js']) {
      const { bare } = reachable(join(dist, entry));
      const pkgName = (s: string) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
      // optionalDependencies (sharp, the image decoder) are declared too: installed when they can be, loaded lazily.
      const optionalDeps = Object.keys(pkg.optionalDependencies ?? {});
      const undeclared = [...bare].filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)).map(pkgName)
        .filter((n) => !deps.includes(n) && !optional.includes(n) && !optionalDeps.includes(n));
      expect(undeclared, `${entry} imports packages package.json does not declare`).toEqual([]);
    }
  });

  it('quantgpu/ptq loads under Node and exports the quantizer', async () => {
    const ptq = await import(join(dist, 'ptq.js'));
    for (const name of ['quantize', 'calibrationSet', 'calibrationFrom', 'openDataset', 'modelProfile', 'evaluate', 'loadModel']) {
      expect(typeof ptq[name], name).toBe('function');
    }
  });

  it('carries the WGSL inside the bundle (no .wgsl or ?raw imports left)', () => {
    const { files } = reachable(join(dist, 'camera.js'));
    const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(importsOf(code).filter((s) => s.includes('.wgsl') || s.includes('?raw'))).toEqual([]);
    // The camera kernel and the runtime's kernels, as text.
    const wgsl = readFileSync(join(root, 'src/camera/preprocess.wgsl'), 'utf8');
    expect(code).toContain(JSON.stringify(wgsl.split('\n').find((l) => l.startsWith('fn tap('))!).slice(1, -1));
    const shaderFiles = readdirSync(join(root, 'src/shaders')).filter((f) => f.endsWith('.wgsl'));
    const entryPoints = (code.match(/@compute/g) ?? []).length;
    console.log(`[package] ${files.length} browser modules, ${entryPoints} @compute entry points inlined (${shaderFiles.length} .wgsl files in src/shaders)`);
    expect(entryPoints).toBeGreaterThanOrEqual(10);
  });

  it('declarations import .js paths only (they resolve under any moduleResolution)', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const bad = walk(join(dist, 'types')).filter((f) => /from\s+['"]\.{1,2}\/[^'"]+\.ts['"]/.test(readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
    expect(readFileSync(join(dist, 'types/camera/index.d.ts'), 'utf8')).toContain('FrameDetector');
  });

  it('the built CLI runs under Node (help and inspect)', () => {
    const help = execFileSync(process.execPath, [join(dist, 'cli.js'), '--help'], { encoding: 'utf8' });
    expect(help).toContain('quantgpu inspect');
    const model = resolve(root, 'models/resnet8_cifar10_mlperf_tiny.onnx');
    const plan = execFileSync(process.execPath, [join(dist, 'cli.js'), 'inspect', model], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(plan).toMatch(/Conv/);
  }, 60_000);
});
