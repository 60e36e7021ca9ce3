/**
 * The walk shared by shape inference and constant folding: visits nodes in topological order, computes each
 * output's dtype and shape with the op's shape rule, and, where every input is known, its value with the op's
 * CPU implementation (so Shape -> Gather -> Concat -> Reshape chains resolve to numbers).
 */
import { ModelError, type Graph, type TensorData } from '../ir.ts';
import { InferCtx, product, type TensorInfo } from './context.ts';
import { opEntry } from '../ops/registry.ts';

/** Fixed input shapes: full shapes by input name (`{ images: [1, 3, 640, 640] }`) or sizes of symbolic dims (`{ N: 1 }`). */
export type InputShapes = Record<string, number[] | number>;

export interface PropagateOptions {
  inputShapes?: InputShapes;
  /**
   * Strict (shape inference): symbolic dims left unset become 1, and an unsupported op or a rule's error throws.
   * Lenient (folding): values that cannot be known are skipped, and so is everything that depends on them.
   */
  strict: boolean;
  /** Largest output, in elements, that is computed on the CPU (default 65536). */
  maxValueElements?: number;
  /** Also evaluate DequantizeLinear of constants (default false: the planner wants to see them). */
  foldDequantize?: boolean;
}

export interface Propagated {
  infos: Map<string, TensorInfo>;
  /** Initializers and every value computed on the CPU. */
  values: Map<string, TensorData>;
}

/** Ops whose output has as many elements as their first input. */
const SIZE_PRESERVING = new Set(['QuantizeLinear', 'DequantizeLinear', 'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Cast']);

export function propagate(graph: Graph, opts: PropagateOptions): Propagated {
  const infos = new Map<string, TensorInfo>();
  const values = new Map<string, TensorData>();
  for (const [name, t] of graph.initializers) {
    infos.set(name, { dtype: t.dtype, shape: [...t.dims] });
    values.set(name, t);
  }
  for (const v of graph.inputs) {
    const shape = fixInputShape(v.name, v.shape, opts);
    if (shape) infos.set(v.name, { dtype: v.dtype, shape });
  }
  const maxElements = opts.maxValueElements ?? 65536;
  for (const node of graph.nodes) {
    const entry = opEntry(node);
    const rule = entry?.shape;
    if (!rule) {
      if (opts.strict) throw new ModelError('unsupported op', node.name, node.domain ? `${node.domain}.${node.opType}` : node.opType);
      continue;
    }
    const ins = node.inputs.map((n) => (n === '' ? undefined : infos.get(n)));
    if (node.inputs.some((n, i) => n !== '' && !ins[i])) continue; // lenient only: strict never leaves a value unknown
    const ctx = new InferCtx(node, graph.opset, ins, node.inputs.map((n) => values.get(n)));
    try {
      const outs = rule(ctx);
      node.outputs.forEach((o, i) => {
        if (o !== '' && !outs[i]) ctx.fail(`output ${i} ('${o}') is not produced`);
        if (o !== '') checkShape(outs[i].shape, (m) => ctx.fail(`output '${o}' ${m}`));
      });
      const cpu = entry?.fold;
      const canRun = node.opType === 'Shape' || node.inputs.every((n) => n === '' || values.has(n));
      const outCount = outs.reduce((a, t) => a + product(t.shape), 0);
      // Ops that never make more elements than their first input (a constant already held) fold at any size:
      // a QAT export's QuantizeLinear of a 512x256x3x3 weight is part of what the model means.
      const small = outCount <= maxElements || (SIZE_PRESERVING.has(node.opType) && !!ins[0] && outCount <= product(ins[0].shape));
      const computed = cpu && canRun && small && (node.opType !== 'DequantizeLinear' || opts.foldDequantize)
        ? cpu(ctx, outs) : [];
      node.outputs.forEach((o, i) => {
        if (o === '') return;
        infos.set(o, outs[i]);
        if (computed[i]) values.set(o, computed[i]);
      });
    } catch (e) {
      if (opts.strict) throw e;
    }
  }
  return { infos, values };
}

/** An input's fixed shape, or undefined (lenient) when a symbolic dim has no size. */
function fixInputShape(name: string, shape: (number | string)[], opts: PropagateOptions): number[] | undefined {
  const given = opts.inputShapes?.[name];
  if (Array.isArray(given)) {
    if (given.length !== shape.length) {
      throw new ModelError(`input '${name}' has rank ${shape.length} ([${shape}]), inputShapes gives [${given}]`);
    }
    shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== given[i]) {
        throw new ModelError(`input '${name}' has fixed shape [${shape}], inputShapes gives [${given}]`);
      }
    });
    return [...given];
  }
  const out: number[] = [];
  for (const d of shape) {
    const size = typeof d === 'number' ? d : opts.inputShapes?.[d] ?? (opts.strict ? 1 : undefined);
    if (typeof size !== 'number') return undefined;
    out.push(size);
  }
  return out;
}

/**
 * Dims must be non-negative safe integers and their product exactly representable: a Conv with pads of 1e9 or an
 * initializer with dims near 2^53 must fail here, naming the node, not later inside an allocator.
 */
export function checkShape(shape: number[], fail: (m: string) => never): void {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`has invalid dims [${shape}]`);
  if (!Number.isSafeInteger(product(shape))) fail(`has shape [${shape}] with more than 2^53 elements`);
}
