/**
 * Planning is a pure function of (graph, precision config, device target, tuned choices): a plan made without a
 * GPU for a device profile equals, step for step and byte for byte, the plan a session makes on a device with the
 * same caps, and `quantgpu inspect --caps <profile>` prints what `quantgpu inspect` prints on that device.
 * Models: ResNet-8 from models/ and a QDQ residual fixture built fresh from the seed (integer conv choices).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_PROFILES, targetOf } from '../src/gpu/profiles.ts';
import type { DeviceCaps } from '../src/shaders/kernel.ts';
import { type Plan, planModel } from '../src/runtime/plan/build.ts';
import { describePlan } from '../src/runtime/plan/describe.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { qdqPattern } from './fixtures/qdq-patterns.ts';
import { modelPath } from './helpers/assets.ts';
import { testGpu } from './helpers/gpu.ts';
import { Rng } from './helpers/random.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/quantgpu.mjs');
const RESNET8 = modelPath('resnet8_cifar10_mlperf_tiny.onnx');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/**
 * Everything a plan holds, as comparable data: steps (kernel key, dispatch, uniforms, bindings), constants (size
 * and the digest taken when planned: a session releases the bytes after upload), buffer layout.
 */
function planData(p: Plan): unknown {
  return {
    steps: p.steps.map((s) => ({
      node: s.node, op: s.op, precision: s.precision, key: s.spec.key, dispatch: s.spec.dispatch, constants: s.spec.constants,
      uniforms: s.spec.uniforms ? [...s.spec.uniforms] : undefined, values: s.values, consts: Object.fromEntries(Object.entries(s.constants).map(([b, c]) => [b, c.id])),
      weightBytes: s.weightBytes, choice: s.choice,
    })),
    values: [...p.values.values()],
    consts: p.consts.map((c) => ({ id: c.id, label: c.label, size: c.size, digest: c.digest })),
    weightBytes: p.weightBytes, inputs: p.inputs, outputs: p.outputs,
    buffers: { slotOf: [...p.buffers.slotOf], slotBytes: p.buffers.slotBytes },
  };
}

/** Constants with the same digest have the same bytes (sha256) and different bytes different digests. */
function expectDigestsIdentify(p: Plan): void {
  const shaOf = new Map<string, string>();
  const digestOf = new Map<string, string>();
  for (const c of p.consts) {
    const sha = createHash('sha256').update(c.bytes!).digest('hex');
    expect(shaOf.get(c.digest) ?? sha, c.label).toBe(sha);
    expect(digestOf.get(sha) ?? c.digest, c.label).toBe(c.digest);
    shaOf.set(c.digest, sha);
    digestOf.set(sha, c.digest);
  }
}

/** The caps fields kernel choice reads (adapterKey only keys the tuner's cache and names Apple's emulated dot). */
const choiceCaps = (c: DeviceCaps) => ({ f16: c.f16, packedDot: c.packedDot, software: c.software, maxWorkgroupStorage: c.maxWorkgroupStorage, maxInvocations: c.maxInvocations });

let dir: string;
let qdqModel: string;
let qdqBytes: Uint8Array;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quantgpu-plan-'));
  const seed = process.env.SEED ? Number(process.env.SEED) : (Math.random() * 2 ** 32) >>> 0;
  console.log(`[plan-no-device] seed ${seed} (replay with SEED=${seed})`);
  qdqBytes = qdqPattern('residual network with saturating activations (inputs x4)', new Rng(seed)).bytes;
  qdqModel = join(dir, 'qdq-residual.onnx');
  writeFileSync(qdqModel, qdqBytes);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planning without a device', () => {
  it('Dawn here is SwiftShader: the swiftshader profile has this device\'s caps', async () => {
    const gpu = await testGpu();
    expect(choiceCaps(gpu.caps)).toEqual(choiceCaps(DEVICE_PROFILES.swiftshader.caps));
  });

  for (const [name, load, precision] of [
    ['ResNet-8 fp32', () => new Uint8Array(readFileSync(RESNET8)), undefined],
    ['ResNet-8 int8 weights', () => new Uint8Array(readFileSync(RESNET8)), 'int8'],
    ['QDQ residual fixture', () => qdqBytes, undefined],
  ] as const) {
    it(`${name}: the session's plan equals planModel's for the device's target (steps, constants, buffers)`, async () => {
      const gpu = await testGpu();
      const bytes = load();
      const opts = precision ? { precision } : {};
      const session = await InferenceSession.create(bytes, { ...opts, context: gpu });
      try {
        const alone = planModel(bytes, targetOf(gpu), opts);
        expect(planData(alone)).toEqual(planData(session.plan));
        // The session keeps no CPU copy of its constants once they are on the GPU (sizes and digests stay).
        expect(session.plan.consts.filter((c) => c.bytes !== undefined).map((c) => c.label)).toEqual([]);
        expect(alone.consts.every((c) => c.bytes?.byteLength === c.size)).toBe(true);
        expectDigestsIdentify(alone);
        expect(describePlan(alone)).toBe(session.describePlan());
        // The profile gives the same plan as the real target (limits only matter when a tensor exceeds them).
        expect(describePlan(planModel(bytes, DEVICE_PROFILES.swiftshader, opts))).toBe(session.describePlan());
      } finally {
        await session.dispose();
      }
    });
  }

  it('the profiles choose differently: integer convs take fma tiles on swiftshader, smem tiles on nvidia, the fallback dot on apple', () => {
    const families = (profile: keyof typeof DEVICE_PROFILES) =>
      planModel(qdqBytes, DEVICE_PROFILES[profile]).steps.filter((s) => s.choice).map((s) => s.choice!.family);
    const soft = families('swiftshader');
    expect(soft.length).toBe(7);
    expect(soft.every((f) => f.startsWith('fma'))).toBe(true);
    const nv = families('nvidia');
    expect(nv.every((f) => f.startsWith('smem') && f.endsWith('packed')), nv.join('; ')).toBe(true);
    expect(families('apple').every((f) => f.endsWith('fallback'))).toBe(true);
    expect(families('generic').every((f) => f.endsWith('fallback'))).toBe(true);
  });

  it('quantgpu inspect --caps swiftshader (no GPU) prints exactly what quantgpu inspect prints on this device', async () => {
    for (const model of [RESNET8, qdqModel]) {
      const [gpu, noGpu] = [await cli('inspect', model), await cli('inspect', model, '--caps', 'swiftshader')];
      expect(gpu.code, gpu.stderr).toBe(0);
      expect(noGpu.code, noGpu.stderr).toBe(0);
      expect(noGpu.stdout.split('\n').length).toBeGreaterThan(8);
      expect(noGpu.stdout).toBe(gpu.stdout);
    }
    const bad = await cli('inspect', RESNET8, '--caps', 'voodoo');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--caps must be one of swiftshader, nvidia, apple, generic; got 'voodoo'/);
  });
});
