/** Placeholder (baseline): the first variant. */
import type { ConvShape } from './conv-shape.ts';
import type { DeviceCaps } from './kernel.ts';
import type { IntEpilogue } from './conv2d_int_common.ts';
import { type ConvIntParams, conv2dW8A8Variants } from './conv2d_w8a8.ts';
import { conv2dIntDwVariants, isDepthwise } from './conv2d_int_dw.ts';

export function chooseIntVariant(s: ConvShape, caps: DeviceCaps, epilogue: IntEpilogue): ConvIntParams {
  return (isDepthwise(s) ? conv2dIntDwVariants(s, caps, epilogue) : conv2dW8A8Variants(s, caps, epilogue))[0];
}
