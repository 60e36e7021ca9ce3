/**
 * quantgpu as a benchmark runtime. The session module is passed in (the page finds it with import.meta.glob,
 * the Node harness with a dynamic import) so that this file works before src/index.ts exists.
 */
import type { HostTensor, MemoryStats, Precision, SessionOptions, StepTiming } from '../runtime/api.ts';
import type { FrameRunner } from './runner.ts';

/** The slice of the public API the benchmark uses (src/runtime/session.ts implements it). */
export interface QuantgpuSession {
  inputNames: string[];
  outputNames: string[];
  run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
  profile(): StepTiming[];
  memory(): MemoryStats;
  describePlan(): string;
  dispose(): void;
}
export interface QuantgpuModule {
  InferenceSession: { create(bytes: Uint8Array, opts?: SessionOptions): Promise<QuantgpuSession> };
}

/** Creates a quantgpu runner, or throws 'not available' when the module does not load. */
export async function quantgpuRunner(
  loadModule: () => Promise<QuantgpuModule | undefined>,
  bytes: Uint8Array,
  precision: Precision,
  extra: Partial<SessionOptions> = {},
): Promise<FrameRunner> {
  let mod: QuantgpuModule | undefined;
  try {
    mod = await loadModule();
  } catch (e) {
    throw new Error(`not available: quantgpu failed to load (${(e as Error).message})`);
  }
  if (!mod?.InferenceSession) throw new Error('not available: quantgpu InferenceSession is not built yet (src/index.ts)');
  const session = await mod.InferenceSession.create(bytes, { precision, profile: true, ...extra });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  return {
    async run(data, dims) {
      const out = await session.run({ [inputName]: { dims, data } });
      const t = out[outputName];
      return { name: outputName, dims: t.dims, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>) };
    },
    get weightBytes() {
      return session.memory().weightBytes;
    },
    extras() {
      const m = session.memory();
      let profile: StepTiming[] | undefined;
      try {
        profile = session.profile();
      } catch {
        profile = undefined; // no timestamp queries on this device
      }
      return { weightBytes: m.weightBytes, activationBytes: m.activationBytes, profile };
    },
    describe: () => `quantgpu ${precision}`,
    dispose: () => session.dispose(),
  };
}
