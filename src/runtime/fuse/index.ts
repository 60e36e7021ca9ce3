/**
 * Fusion, in one place: graph rewrites after shape inference and simplification, each recording what it folded in
 * as a typed `Node.fused` (ir.ts). The planner's lowerings read the fused node and never match patterns themselves.
 */
import type { Graph } from '../ir.ts';
import { fuseActivations, fuseResidualAdd, fuseSiLU } from './activation-fusion.ts';
import { fuseQdqResidual } from './qdq-residual.ts';
import { fuseQdqAddRelu } from './qdq-add-relu.ts';

export interface FuseCounts {
  silu: number;
  residual: number;
  activation: number;
  qdqResidual: number;
  qdqAddRelu: number;
}

/**
 * All fusions, in the order that lets each see the previous ones' results (the QDQ residual match needs the conv's
 * ReLU already fused). `noFusion` (calibration: observe every activation) skips the float fusions but not the QDQ
 * residual and Add -> Relu ones, which only choose integer kernels' epilogues (the lowering matched it regardless of `noFusion`
 * before issue 14, and QDQ plans stay as they were).
 */
export function fuseGraph(g: Graph, opts: { noFusion?: boolean } = {}): FuseCounts {
  const optional = !opts.noFusion;
  const silu = optional ? fuseSiLU(g) : 0;
  const residual = optional ? fuseResidualAdd(g) : 0;
  const activation = optional ? fuseActivations(g) : 0;
  const qdqResidual = fuseQdqResidual(g);
  return { silu, residual, activation, qdqResidual, qdqAddRelu: fuseQdqAddRelu(g) };
}
