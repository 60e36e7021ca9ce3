/**
 * Kernel suite run inside Chromium: the same kernels and CPU references as the Node tests, but on the browser's
 * WebGPU (Chromium's Dawn) instead of Node's. Driven by kernels.browser.test.ts through `window.kernelSuite` and
 * `window.resnet8`. The cases live in ./cases/<kernel>.case.ts (see suite.ts for the contract).
 */
import { acquireDevice } from '../../src/gpu/device.ts';
import { InferenceSession } from '../../src/index.ts';
import { type CaseResult, runCases } from './run-cases.ts';
import { type E2eResult, RESNET8_DIMS, RESNET8_FILE, RESNET8_INPUT, resnet8Input } from './e2e.ts';

declare const __QUANTGPU_ASSETS_URL__: string;

export type { CaseResult } from './run-cases.ts';
export interface SuiteResult {
  adapter: string;
  /** The device features the kernels may depend on, e.g. `f16 no, packedDot yes, subgroups yes`. */
  caps: string;
  seed: number;
  results: CaseResult[];
}

/** Runs every case whose name matches `filter` (RegExp source) on a fresh device. */
async function kernelSuite(seed: number, filter = ''): Promise<SuiteResult> {
  const gpu = await acquireDevice({ label: 'kernel-suite' });
  const info = gpu.adapter.info;
  try {
    const results = await runCases(gpu, seed, filter);
    const yes = (b: boolean): string => (b ? 'yes' : 'no');
    const caps = `f16 ${yes(gpu.caps.f16)}, packedDot ${yes(gpu.caps.packedDot)}, subgroups ${yes(gpu.caps.subgroups)}`;
    return { adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), caps, seed, results };
  } finally {
    gpu.device.destroy();
  }
}

/** ResNet-8 in FP32 through the public API, on the input `resnet8Input(seed)`; the outputs go back to Node. */
async function resnet8(seed: number): Promise<E2eResult> {
  const gpu = await acquireDevice({ label: 'kernel-suite-e2e' });
  try {
    const t0 = performance.now();
    const session = await InferenceSession.create(`${__QUANTGPU_ASSETS_URL__}${RESNET8_FILE}`,
      { context: gpu, precision: 'fp32', inputShapes: { [RESNET8_INPUT]: RESNET8_DIMS } });
    const out = await session.run({ [RESNET8_INPUT]: { dims: RESNET8_DIMS, data: resnet8Input(seed) } });
    session.dispose();
    const outputs = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { dims: v.dims, data: Array.from(v.data) }]));
    return { outputs, ms: performance.now() - t0 };
  } finally {
    gpu.device.destroy();
  }
}

declare global {
  interface Window {
    kernelSuite: typeof kernelSuite;
    resnet8: typeof resnet8;
    kernelSuiteReady: boolean;
  }
}
window.kernelSuite = kernelSuite;
window.resnet8 = resnet8;
window.kernelSuiteReady = true;
document.getElementById('log')!.textContent = `ready; navigator.gpu ${navigator.gpu ? 'present' : 'MISSING'}`;
