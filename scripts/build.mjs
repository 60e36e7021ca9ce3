#!/usr/bin/env node
// `npm run build`: the browser library (dist/index.js, dist/camera.js), the Node CLI and PTQ entries (dist/cli.js,
// dist/ptq.js) and the type
// declarations (dist/types/**). Declarations are emitted by tsc from tsconfig.lib.json; their relative `.ts`
// import specifiers (the sources use allowImportingTsExtensions) are rewritten to `.js`, so they resolve under
// any moduleResolution a consumer uses.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const configFile = join(root, 'vite.lib.config.ts');

for (const entry of ['index.js', 'camera.js', 'cli.js', 'ptq.js', 'types']) rmSync(join(dist, entry), { recursive: true, force: true });
for (const f of statSafe(dist) ? readdirSync(dist) : []) if (/^(session|cli-).*\.js(\.map)?$|\.js\.map$/.test(f)) rmSync(join(dist, f));

await build({ root, configFile, mode: 'production', logLevel: 'warn' });
await build({ root, configFile, mode: 'cli', logLevel: 'warn' });

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });
let rewritten = 0;
for (const file of walk(join(dist, 'types'))) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, (_, a, q, p) => `${a}${q}${p}.js${q}`);
  if (out !== text) {
    writeFileSync(file, out);
    rewritten++;
  }
}
console.log(`quantgpu build: dist/index.js, dist/camera.js, dist/cli.js, dist/ptq.js, dist/types (${rewritten} declaration files with rewritten imports)`);

function statSafe(p) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}
