/**
 * Builder of the `smem` integer conv family (conv2d_int_smem.wgsl): an implicit GEMM with workgroup-memory tiles,
 * the shape GPUs want (onnxruntime-web's dp4a matmul stages 64x64 tiles the same way). Same bindings, weight
 * layout (packConvW8), uniforms (IntConvU) and epilogues (conv2d_int_store.wgsl + requant.wgsl) as the register
 * families of conv2d_w8a8.ts, so a layer can switch family without repacking anything. groups == 1 only.
 *
 * On software devices (SwiftShader) its barriers make it slower than `fma`/`reg`: it is the untuned default on
 * hardware adapters only, and the autotuner times it everywhere.
 */
import mainCode from './conv2d_int_smem.wgsl?raw';
import inU32 from './conv2d_int_smem_in_u32.wgsl?raw';
import inV4 from './conv2d_int_smem_in_v4.wgsl?raw';
import commonCode from './conv2d_int_common.wgsl?raw';
import dotPacked from './conv2d_int_dot_packed.wgsl?raw';
import dotFallback from './conv2d_int_dot_fallback.wgsl?raw';
import requantCode from './requant.wgsl?raw';
import fixedPointCode from './fixedpoint.wgsl?raw';
import activationCode from './activation.wgsl?raw';
import nanCode from './nan.wgsl?raw';
import storeCode from './conv2d_int_store.wgsl?raw';
import { INT_BINDINGS_CODE, INT_CONV_BINDINGS } from './conv2d_int_bindings.ts';
import type { ConvShape } from './conv-shape.ts';
import { type DeviceCaps, type KernelSpec, ceilDiv, dispatch1d, kernelKey } from './kernel.ts';
import {
  type IntEpilogue, type IntQuantArgs, type IntSmemTile, epilogueConstants, intConvGeometry,
  intConvUniforms,
} from './conv2d_int_common.ts';

/** Params of one smem kernel: the same shape as conv2d_w8a8's ConvIntParams, with an smem tile. */
export interface ConvIntSmemParams {
  tile: IntSmemTile;
  dot: 'packed' | 'fallback';
  epilogue: IntEpilogue;
}

/** Whether the smem family can run `s` (one channel window for the whole tile). */
export const smemApplies = (s: ConvShape): boolean => s.groups === 1;

/** Whether 16-byte input loads are valid for `s`: every pixel starts on a 16-byte boundary. */
export const smemVec4 = (s: ConvShape): boolean => Math.ceil(s.cin / 4) % 4 === 0;

/** Bytes of workgroup memory a tile declares (xs + wt + org, vec3 padded to 16 bytes). */
export const smemBytes = (t: IntSmemTile): number => 16 * ((t.wg / t.wgn) * t.bk + t.bk * t.wgn * t.tn4 + 4 * (t.wg / t.wgn));

/** One smem tile: BM = 4 * (wg / wgn) pixels x BN = 4 * tn4 * wgn channels, bk words per stage. */
export function smemTile(s: ConvShape, wgm: number, wgn: number, tn4: 1 | 2, bk: IntSmemTile['bk']): IntSmemTile {
  return { family: 'smem', tm: 4, tn4, wg: wgm * wgn, wgn, bk, vec4: smemVec4(s) };
}

const nextPow2 = (x: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/**
 * The untuned smem tile for `s`: 64 pixels x up to 128 channels (>= 32 MAC per global byte on ResNet-18's 3x3
 * layers, see `intConvMacPerByte`), narrower when the layer has few channels so that no block column is idle.
 */
export function defaultSmemTile(s: ConvShape): IntSmemTile {
  const oc4 = Math.ceil(s.cout / 4);
  const tn4 = s.cout >= 128 ? 2 : 1;
  const wgn = Math.min(16, Math.max(4, nextPow2(Math.ceil(oc4 / tn4))));
  return smemTile(s, 16, wgn, tn4, 8);
}

/** Candidate smem tiles for the autotuner (those the device's limits allow). */
export function smemTiles(s: ConvShape, caps: Pick<DeviceCaps, 'maxInvocations' | 'maxWorkgroupStorage'>): IntSmemTile[] {
  if (!smemApplies(s)) return [];
  const all = [defaultSmemTile(s), smemTile(s, 16, 16, 1, 8), smemTile(s, 16, 16, 2, 8), smemTile(s, 16, 8, 2, 16), smemTile(s, 8, 8, 1, 8)];
  const seen = new Set<string>();
  return all.filter((t) => {
    const k = JSON.stringify(t);
    if (seen.has(k) || t.wg > caps.maxInvocations || smemBytes(t) > caps.maxWorkgroupStorage) return false;
    seen.add(k);
    return true;
  });
}

/** The WGSL appended after an smem kernel's main file: input loader, helpers, epilogue pieces. */
export function smemSupportCode(tile: IntSmemTile, dot: ConvIntSmemParams['dot'], layout: keyof typeof INT_BINDINGS_CODE = 'w8'): string {
  return [tile.vec4 ? inV4 : inU32, INT_BINDINGS_CODE[layout], commonCode, dot === 'packed' ? dotPacked : dotFallback, fixedPointCode, requantCode, nanCode, activationCode].join('\n');
}

/** Checks a tile against the shape and the device-independent rules; returns the workgroup count. */
export function smemWorkgroups(op: string, tile: IntSmemTile, s: ConvShape): number {
  if (!smemApplies(s)) throw new Error(`${op}: the smem family needs groups == 1 (got ${s.groups})`);
  if (tile.vec4 && !smemVec4(s)) throw new Error(`${op}: vec4 loads need cin padded to a multiple of 16 (got ${s.cin})`);
  if (tile.wg % tile.wgn !== 0) throw new Error(`${op}: wg ${tile.wg} is not a multiple of wgn ${tile.wgn}`);
  const g = intConvGeometry(s);
  return ceilDiv(g.m, (4 * tile.wg) / tile.wgn) * ceilDiv(g.oc4, tile.tn4 * tile.wgn);
}

export function conv2dIntSmemKernel(params: ConvIntSmemParams, s: ConvShape, q: IntQuantArgs): KernelSpec {
  const { tile, epilogue } = params;
  const workgroups = smemWorkgroups('conv2d_int_smem', tile, s);
  const g = intConvGeometry(s);
  const wgm = tile.wg / tile.wgn;
  const { uniforms } = intConvUniforms(s, g, { tm: 4 * wgm, tn4: tile.tn4 * tile.wgn }, q);
  const code = [mainCode, smemSupportCode(tile, params.dot), storeCode].join('\n');
  return {
    name: 'conv2d_int_smem',
    key: kernelKey('conv2d_int_smem', params),
    code,
    entryPoint: 'main',
    constants: { WG: tile.wg, WGM: wgm, WGN: tile.wgn, TN4: tile.tn4, BK: tile.bk, ...epilogueConstants(epilogue, 0, s) },
    bindings: INT_CONV_BINDINGS,
    dispatch: dispatch1d(workgroups),
    uniforms,
  };
}
