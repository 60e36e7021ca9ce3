/**
 * Constant folding: every node whose inputs are all constants (initializers, Constant nodes, or values computed
 * from them) becomes initializers, and Shape nodes become constants where their input's shape is fixed. This
 * collapses the Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains of detector exports, and leaves each
 * Reshape's `shape` input an initializer.
 */
import type { Graph } from '../ir.ts';
import { type InputShapes, propagate } from '../shapes/propagate.ts';
import { removeDeadNodes } from './remove-dead-nodes.ts';

export interface FoldOptions {
  /** Sizes for symbolic input dims; without them, Shape of a value with a symbolic dim is not folded. */
  inputShapes?: InputShapes;
  /** Also fold DequantizeLinear of constant weights into float initializers (default false: QDQ models keep them). */
  foldDequantize?: boolean;
  /** Largest folded output in elements (default 1M): bigger results (e.g. an Expand to activation size) stay nodes. */
  maxElements?: number;
}

/** Mutates and returns the graph (nodes stay topologically sorted; dead nodes and initializers are removed). */
export function foldConstants(graph: Graph, opts: FoldOptions = {}): Graph {
  const { values } = propagate(graph, {
    strict: false,
    inputShapes: opts.inputShapes,
    maxValueElements: opts.maxElements ?? 1 << 20,
    foldDequantize: opts.foldDequantize,
  });
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  graph.nodes = graph.nodes.filter((n) => {
    const outs = n.outputs.filter((o) => o !== '');
    // A node that computes a graph output stays: ONNX graph outputs must be produced by nodes.
    const foldable = outs.length > 0 && outs.every((o) => values.has(o) && !graphOutputs.has(o));
    if (foldable) for (const o of outs) graph.initializers.set(o, values.get(o)!);
    return !foldable;
  });
  return removeDeadNodes(graph);
}
