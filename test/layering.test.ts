/**
 * The layers stay layered: src/shaders holds kernels (.wgsl) and their pure builders only, so nothing in it may
 * import from src/gpu (devices, pipelines, dispatch) or src/runtime (ops, planning, kernel choice, tuning).
 * Reads every import and export-from specifier (static and dynamic) of src/shaders/*.ts and resolves it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SHADERS = join(ROOT, 'src/shaders');
const FORBIDDEN = ['src/gpu/', 'src/runtime/'];

/** Every module specifier in `code`: `import ... from 'x'`, `export ... from 'x'`, `import 'x'`, `import('x')`. */
export function specifiers(code: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\1/g;
  return [...code.matchAll(re)].map((m) => m[2]);
}

describe('layering', () => {
  it('the specifier scan finds static, type-only, re-export and dynamic imports', () => {
    const code = `import { a } from '../gpu/exec.ts';\nimport type { B } from "../runtime/ir.ts";\nexport { c } from './c.ts';\nimport './side.ts';\nconst d = await import('../runtime/x.ts');`;
    expect(specifiers(code)).toEqual(['../gpu/exec.ts', '../runtime/ir.ts', './c.ts', './side.ts', '../runtime/x.ts']);
  });

  it('src/shaders imports nothing from src/gpu or src/runtime', () => {
    const files = readdirSync(SHADERS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const bad: string[] = [];
    for (const f of files) {
      const path = join(SHADERS, f);
      for (const spec of specifiers(readFileSync(path, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(path), spec));
        if (FORBIDDEN.some((p) => target.startsWith(p))) bad.push(`src/shaders/${f} imports ${target}`);
      }
    }
    expect(bad, 'kernel choice, tuning and dispatch belong in src/runtime; src/shaders holds kernels and pure builders').toEqual([]);
  });
});
