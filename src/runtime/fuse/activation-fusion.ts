/**
 * Graph rewrites that fold activations and residual adds into the conv (or gemm) that produces their input, so
 * the planner emits one kernel for Conv -> [Add residual] -> activation.
 *
 * Fused state is recorded on the producing node as a typed `Node.fused` (ir.ts; never an ONNX attribute):
 * the activation, the residual input (also appended to the node's inputs) and the names of the nodes folded in.
 * The producer takes over the output name of the last folded node.
 */
import type { Activation } from '../../shaders/activation.ts';
import { FUSED_DOMAIN, type Graph, type Node, attrFloat } from '../ir.ts';
import { consumersOf, constScalar, integerConv, replaceNodes } from './graph-util.ts';

const FUSE_INTO = new Set(['Conv', 'Gemm', 'MatMul']);

/** Reads the activation a node computes, if it is a plain activation op we can fuse. */
export function activationOf(g: Graph, n: Node): Activation | undefined {
  switch (n.opType) {
    case 'Relu': return { kind: 'relu' };
    case 'Sigmoid': return { kind: 'sigmoid' };
    case 'HardSwish': return { kind: 'hardswish' };
    case 'LeakyRelu': return { kind: 'leakyrelu', alpha: attrFloat(n, 'alpha', 0.01) };
    case 'HardSigmoid': return { kind: 'hardsigmoid', alpha: attrFloat(n, 'alpha', 0.2), beta: attrFloat(n, 'beta', 0.5) };
    case 'Clip': {
      // opset < 11: attributes; opset >= 11: optional constant inputs.
      const lo = n.inputs[1] ? constScalar(g, n.inputs[1]) : attrFloat(n, 'min', -3.4028234663852886e38);
      const hi = n.inputs[2] ? constScalar(g, n.inputs[2]) : attrFloat(n, 'max', 3.4028234663852886e38);
      if (lo === undefined || hi === undefined) return undefined;
      return { kind: 'clip', min: lo, max: hi };
    }
    default: return undefined;
  }
}

/** Rewrites x -> Sigmoid -> Mul(x, sigmoid(x)) into one `SiLU` node of our own (domain quantgpu). */
export function fuseSiLU(g: Graph): number {
  let count = 0;
  for (const sig of [...g.nodes]) {
    if (sig.opType !== 'Sigmoid') continue;
    const x = sig.inputs[0];
    const users = consumersOf(g, sig.outputs[0]);
    if (users.length !== 1 || users[0].opType !== 'Mul') continue;
    const mul = users[0];
    if (!(mul.inputs.includes(x) && mul.inputs.includes(sig.outputs[0]))) continue;
    const silu: Node = { name: mul.name, opType: 'SiLU', domain: FUSED_DOMAIN, inputs: [x], outputs: mul.outputs, attrs: {}, fused: { names: [sig.name, mul.name] } };
    replaceNodes(g, [sig, mul], silu);
    count++;
  }
  return count;
}

/** Names of the ONNX nodes `n` computes (its own name when nothing was fused into it). */
export function fusedNames(n: Node): string[] {
  return n.fused?.names ?? [n.name];
}

/** The residual input fused into a conv, if any. */
export function fusedResidual(n: Node): string | undefined {
  return n.fused?.residual;
}

function singleConsumer(g: Graph, value: string): Node | undefined {
  if (g.outputs.some((o) => o.name === value)) return undefined;
  const users = consumersOf(g, value);
  return users.length === 1 ? users[0] : undefined;
}

/** Conv -> Add(conv, skip) [-> Relu]: the add (and its activation) move into the conv. */
export function fuseResidualAdd(g: Graph): number {
  let count = 0;
  for (const conv of [...g.nodes]) {
    if (conv.opType !== 'Conv' || conv.fused?.residual !== undefined || conv.fused?.activation) continue;
    // An integer conv (int8 input and weights, QDQ) has no float-residual epilogue: the float Add stays its own op.
    if (integerConv(g, conv)) continue;
    const add = singleConsumer(g, conv.outputs[0]);
    if (!add || add.opType !== 'Add') continue;
    const skip = add.inputs[0] === conv.outputs[0] ? add.inputs[1] : add.inputs[0];
    if (skip === conv.outputs[0] || g.initializers.has(skip)) continue;
    const outShape = g.valueInfo.get(add.outputs[0])?.shape;
    const skipShape = g.valueInfo.get(skip)?.shape;
    if (!outShape || !skipShape || outShape.join() !== skipShape.join()) continue;
    const fused: Node = {
      ...conv,
      inputs: [...conv.inputs.slice(0, 3), ...Array(Math.max(0, 3 - conv.inputs.length)).fill(''), skip],
      outputs: add.outputs,
      fused: { ...conv.fused, residual: skip, names: [...fusedNames(conv), add.name] },
    };
    replaceNodes(g, [conv, add], fused);
    count++;
  }
  return count;
}

/** The real interval a ReLU / Clip keeps, or undefined for other activations. */
function clampRange(a: Activation): [number, number] | undefined {
  if (a.kind === 'relu') return [0, 3.4028234663852886e38]; // float32 max: a merged clip keeps finite bounds
  if (a.kind === 'clip') return [a.min, a.max];
  return undefined;
}

/**
 * Producer (Conv/Gemm/MatMul, possibly with a fused residual) -> activation: the activation moves in. A ReLU/Clip
 * after a fused ReLU/Clip merges with it: clip(clip(y, a1, b1), a2, b2) = clip(y, L, H) with L = clip(a1, a2, b2),
 * H = clip(b1, a2, b2) (both sides are monotonic clamps with the same limits at -inf and +inf).
 */
export function fuseActivations(g: Graph): number {
  let count = 0;
  for (let i = 0; i < g.nodes.length; i++) {
    const prod = g.nodes[i];
    if (!FUSE_INTO.has(prod.opType)) continue;
    const next = singleConsumer(g, prod.outputs[0]);
    if (!next) continue;
    let act: Activation | undefined = next.opType === 'SiLU' ? { kind: 'silu' } : activationOf(g, next);
    if (!act) continue;
    if (prod.fused?.activation) {
      const r1 = clampRange(fusedActivation(prod));
      const r2 = clampRange(act);
      if (!r1 || !r2) continue;
      const c = (v: number) => Math.min(Math.max(v, r2[0]), r2[1]);
      act = { kind: 'clip', min: c(r1[0]), max: c(r1[1]) };
    }
    const fused: Node = {
      ...prod,
      outputs: next.outputs,
      fused: { ...prod.fused, activation: act, names: [...fusedNames(prod), ...fusedNames(next)] },
    };
    replaceNodes(g, [prod, next], fused);
    count++;
    i = g.nodes.indexOf(fused) - 1; // look at the fused node again: another clamp may follow
  }
  return count;
}

/** The activation fused into a node, if any. */
export function fusedActivation(n: Node): Activation {
  return n.fused?.activation ?? { kind: 'none' };
}
