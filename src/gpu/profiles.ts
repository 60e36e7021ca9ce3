/**
 * What planning needs to know about a device, without the device: its caps (which kernel variants the runtime
 * picks, see runtime/ops/conv-select.ts) and the limits the planner
 * checks. `targetOf` reads them from an acquired device; `DEVICE_PROFILES` names the adapters whose choices
 * differ, so that `quantgpu inspect --caps <profile>` and `planModel` can show a plan with no GPU at all.
 */
import type { DeviceCaps } from '../shaders/kernel.ts';
import type { GpuContext } from './device.ts';

/** The device limits the planner checks (every activation and constant is bound as a storage buffer). */
export interface PlanLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** The device as the planner sees it. */
export interface PlanTarget {
  caps: DeviceCaps;
  limits: PlanLimits;
}

/** The target of an acquired device. */
export function targetOf(gpu: GpuContext): PlanTarget {
  const l = gpu.device.limits;
  return {
    caps: gpu.caps,
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  };
}

// WebGPU's default limits: what every conforming device offers.
const DEFAULT_LIMITS: PlanLimits = { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456, maxComputeWorkgroupsPerDimension: 65535 };
const GIB: PlanLimits = { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30, maxComputeWorkgroupsPerDimension: 65535 };

/**
 * Device profiles, one per way the runtime chooses differently:
 * - `swiftshader`: a software adapter (barrier-free register/fma tiles, 16-wide workgroups), as Dawn's SwiftShader
 *   reports itself (no shader-f16, dot4I8Packed exposed);
 * - `nvidia`: a hardware adapter with shader-f16 and a hardware dot4I8Packed (smem tiles, packed dot);
 * - `apple`: hardware with shader-f16 whose dot4I8Packed is emulated (smem tiles, fallback dot);
 * - `generic`: the WebGPU baseline: hardware, no optional feature, default limits.
 * Limits other than the baseline are the adapters' usual maxima; the plan only depends on them when a tensor is
 * too large for them.
 */
export const DEVICE_PROFILES: Record<'swiftshader' | 'nvidia' | 'apple' | 'generic', PlanTarget> = {
  swiftshader: {
    caps: {
      f16: false, packedDot: true, subgroups: true, timestamps: true, software: true,
      adapterKey: 'google swiftshader swiftshader-device-subzero- SwiftShader driver 5.0.0',
      maxWorkgroupStorage: 32768, maxInvocations: 256, maxStorageBufferBindingSize: GIB.maxStorageBufferBindingSize,
    },
    limits: GIB,
  },
  nvidia: {
    caps: {
      f16: true, packedDot: true, subgroups: true, timestamps: true, software: false, adapterKey: 'nvidia ampere',
      maxWorkgroupStorage: 32768, maxInvocations: 1024, maxStorageBufferBindingSize: 2147483644,
    },
    limits: { maxStorageBufferBindingSize: 2147483644, maxBufferSize: 4294967296, maxComputeWorkgroupsPerDimension: 65535 },
  },
  apple: {
    caps: {
      f16: true, packedDot: true, subgroups: true, timestamps: false, software: false, adapterKey: 'apple metal-3',
      maxWorkgroupStorage: 32768, maxInvocations: 1024, maxStorageBufferBindingSize: GIB.maxStorageBufferBindingSize,
    },
    limits: GIB,
  },
  generic: {
    caps: {
      f16: false, packedDot: false, subgroups: false, timestamps: false, software: false, adapterKey: 'generic',
      maxWorkgroupStorage: 16384, maxInvocations: 256, maxStorageBufferBindingSize: DEFAULT_LIMITS.maxStorageBufferBindingSize,
    },
    limits: DEFAULT_LIMITS,
  },
};

export type DeviceProfileName = keyof typeof DEVICE_PROFILES;

/** The profile named `name`, or an error listing the names. */
export function deviceProfile(name: string): PlanTarget {
  const p = (DEVICE_PROFILES as Record<string, PlanTarget>)[name];
  if (!p) throw new Error(`unknown device profile '${name}' (profiles: ${Object.keys(DEVICE_PROFILES).join(', ')})`);
  return p;
}
