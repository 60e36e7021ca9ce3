/**
 * The one map from ONNX op type to the function that plans it (sorted, one line per op). An op not listed here
 * is reported by name before any GPU work (see prepare.ts).
 */
import type { Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { lowerConv } from './conv.ts';
import { lowerView } from './reshape.ts';

export type Lowering = (ctx: PlanContext, node: Node) => void;

export const LOWERINGS: Record<string, Lowering> = {
  Conv: lowerConv,
  Flatten: lowerView,
  Identity: lowerView,
  Reshape: lowerView,
  Squeeze: lowerView,
  Unsqueeze: lowerView,
};
