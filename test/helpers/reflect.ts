/** Checks a kernel's declared bindings against what wgsl_reflect reads from its WGSL. */
import { expect } from 'vitest';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { KernelSpec } from '../../src/shaders/kernel.ts';

export function reflectBindings(code: string): { name: string; binding: number; kind: string }[] {
  const r = new WgslReflect(code);
  const out: { name: string; binding: number; kind: string }[] = [];
  for (const v of r.storage) {
    if (v.group !== 0) continue;
    out.push({ name: v.name, binding: v.binding, kind: v.access === 'read' ? 'read-only-storage' : 'storage' });
  }
  for (const v of r.uniforms) if (v.group === 0) out.push({ name: v.name, binding: v.binding, kind: 'uniform' });
  return out.sort((a, b) => a.binding - b.binding);
}

/** The shader declares exactly the builder's bindings: same names, indices and access. */
export function expectBindingsMatch(spec: KernelSpec): void {
  const declared = spec.bindings.map((b, i) => ({ name: b.name, binding: i, kind: b.kind }));
  expect(reflectBindings(spec.code), `bindings of ${spec.key}`).toEqual(declared);
}
