/**
 * QDQ models: the ReLU after an int8 Add or Mul becomes that node's activation.
 *
 *   DQ(a) -> Add(., DQ(b)) -> Relu -> Q   becomes   DQ(a) -> Add{ fused.activation: relu }(., DQ(b)) -> Q
 *
 * Residual blocks of QDQ models end this way. The int8 lowering (ops/elementwise.ts, tryInt8Binary) turns the ReLU
 * into the clamp of its table lookup (exact: QuantizeLinear is monotonic, so clamping the codes at the zero point
 * is ReLU before the QuantizeLinear); the float lowering, taken where the int8 kernel does not apply (shapes that
 * broadcast, not 4-D), applies the fused activation in its epilogue. Runs after fuseQdqResidual, which takes the
 * Adds that follow an integer conv whole.
 */
import type { Graph, Node } from '../ir.ts';
import { fusedNames } from './activation-fusion.ts';
import { activationDq } from './graph-util.ts';
import { only, perTensorQ } from './qdq-residual.ts';

/** Fuses every match (see the file comment); returns how many. */
export function fuseQdqAddRelu(g: Graph): number {
  let count = 0;
  for (const node of [...g.nodes]) {
    if ((node.opType !== 'Add' && node.opType !== 'Mul') || node.fused?.activation) continue;
    if (node.inputs.length !== 2 || !node.inputs.every((v) => activationDq(g, v))) continue;
    const relu = only(g, node.outputs[0]);
    if (relu?.opType !== 'Relu' || !perTensorQ(g, only(g, relu.outputs[0]))) continue;
    const fused: Node = { ...node, outputs: relu.outputs, fused: { ...node.fused, names: [...fusedNames(node), relu.name], activation: { kind: 'relu' } } };
    g.nodes = g.nodes.filter((n) => n !== relu).map((n) => (n === node ? fused : n));
    count++;
  }
  return count;
}
