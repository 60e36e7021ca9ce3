/**
 * The kernel of an integer conv layer: the untuned default (conv-select.ts), what describePlan says about it
 * (family, tuned or not, analytic MAC per global byte), and the alternatives the plan-time tuner may time. Every
 * alternative has the same bindings and constant buffers and computes the same bytes, so the tuner swaps specs.
 */
import type { ConvShape } from '../../shaders/conv-shape.ts';
import type { IntEpilogue, IntQuantArgs } from '../../shaders/conv2d_int_common.ts';
import { chooseIntVariant, chooseW4Variant, intCandidates, w4Candidates } from './conv-select.ts';
import { conv2dIntDwKernel, isDepthwise } from '../../shaders/conv2d_int_dw.ts';
import type { W4Layout } from '../../shaders/conv2d_int_pack_w4.ts';
import { intMacPerByte } from '../../shaders/conv2d_int_traffic.ts';
import { type ConvIntParams, conv2dW8A8Kernel } from '../../shaders/conv2d_w8a8.ts';
import { conv2dW4A8Kernel } from '../../shaders/conv2d_w4a8.ts';
import { type DeviceCaps, type KernelSpec, stableStringify } from '../../shaders/kernel.ts';
import { convShapeKey } from '../plan/autotune.ts';
import type { KernelChoice, PlanStep } from '../plan/types.ts';

/** A readable name of a variant: family, outputs per workgroup (smem) or per invocation, dot product. */
export function intTileLabel(p: ConvIntParams): string {
  const t = p.tile;
  if (t.family === 'smem') return `smem ${(4 * t.wg) / t.wgn}x${4 * t.tn4 * t.wgn} bk${t.bk}${t.vec4 ? ' v4' : ''} ${p.dot}`;
  return `${t.family} ${t.tm}x${4 * t.tn4} ${p.dot}`;
}

export interface IntPick extends Pick<PlanStep, 'choice' | 'alternatives'> {
  spec: KernelSpec;
}

/** W8A8 (general or depthwise) or W4A8 (`layout` given) conv: the default kernel and its alternatives. */
export function pickIntConv(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue, quant: IntQuantArgs, layout?: W4Layout): IntPick {
  const dw = !layout && isDepthwise(s);
  const build = (p: ConvIntParams): KernelSpec =>
    layout ? conv2dW4A8Kernel(p, s, layout, quant) : dw ? conv2dIntDwKernel(p, s, quant) : conv2dW8A8Kernel(p, s, quant);
  const choiceOf = (p: ConvIntParams, tuned: boolean): KernelChoice =>
    ({ family: intTileLabel(p), tuned, macPerByte: intMacPerByte(p.tile, s, dw) });
  const params = layout ? chooseW4Variant(s, caps, epilogue, layout) : chooseIntVariant(s, caps, epilogue);
  const kind = layout ? 'conv2d_w4a8' : dw ? 'conv2d_int_dw' : 'conv2d_w8a8';
  return {
    spec: build(params),
    choice: choiceOf(params, false),
    alternatives: {
      cacheFamily: `${kind}:${stableStringify(epilogue)}${layout ? `:g${layout.groupSize}` : ''}`,
      shapeKey: convShapeKey(s),
      candidates: () => (layout ? w4Candidates(s, caps, epilogue, layout) : intCandidates(s, caps, epilogue))
        .map((p) => ({ label: intTileLabel(p), spec: build(p), choice: choiceOf(p, true) })),
    },
  };
}
