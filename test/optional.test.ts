/** Optional Node packages (src/node/optional.ts): a missing one is named with the command that installs it. */
import { describe, expect, it } from 'vitest';
import { MissingPackageError, importOptional } from '../src/node/optional.ts';

describe('importOptional', () => {
  it('names the missing package, what needs it and how to install it', async () => {
    const pkg = `quantgpu-absent-${(Math.random() * 1e9) >>> 0}`;
    const err = await importOptional(() => import(pkg), pkg, 'eval --runtime ort').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPackageError);
    expect((err as Error).message).toBe(`eval --runtime ort needs the optional package '${pkg}', which is not installed; install it next to quantgpu: npm install ${pkg}`);
  });

  it('returns the module when it is installed, and lets other failures through unchanged', async () => {
    const mod = await importOptional(() => import('protobufjs'), 'protobufjs', 'loading ONNX');
    expect(typeof mod.default.Reader).toBe('function');
    const boom = new Error('init failed');
    await expect(importOptional(() => Promise.reject(boom), 'webgpu', 'x')).rejects.toBe(boom);
  });
});
