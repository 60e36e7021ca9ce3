/**
 * From model bytes to a graph ready to plan: parse, fix input shapes, check every op is supported (before any GPU
 * work), infer shapes, fold constants and BatchNormalization, drop dead nodes, fuse activations and residual adds.
 * Pure CPU; shared by the session, `quantgpu inspect` and the quantizer.
 */
import type { SessionOptions } from './api.ts';
import { type Graph, ModelError } from './ir.ts';
import { load } from './onnx/load.ts';
import { inferShapes, unsupportedOps } from './shapes/infer.ts';
import { simplify } from './passes/index.ts';
import { fuseGraph } from './fuse/index.ts';
import { opEntry } from './ops/registry.ts';

/** Fixed input shapes: symbolic dims take opts.inputShapes[name] or 1 (batch). */
export function fixInputShapes(graph: Graph, given: Record<string, number[]> = {}): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const i of graph.inputs) {
    const want = given[i.name];
    const bad = (want ?? i.shape).findIndex((d) => typeof d === 'number' && !(Number.isSafeInteger(d) && d > 0));
    if (bad >= 0) {
      throw new ModelError(`input '${i.name}' dimension ${bad} is ${(want ?? i.shape)[bad]} ` +
        `(${want ? 'inputShapes gives' : 'the model declares'} [${want ?? i.shape}]); every dim must be a positive integer`);
    }
    if (want) {
      if (want.length !== i.shape.length) throw new ModelError(`input '${i.name}' has rank ${i.shape.length} ([${i.shape}]); inputShapes gives [${want}]`);
      want.forEach((d, k) => {
        if (typeof i.shape[k] === 'number' && i.shape[k] !== d && (i.shape[k] as number) > 0) {
          throw new ModelError(`input '${i.name}' dimension ${k} is fixed to ${i.shape[k]} by the model; inputShapes gives ${d}`);
        }
      });
      shapes[i.name] = want;
    } else {
      shapes[i.name] = i.shape.map((d) => (typeof d === 'number' ? d : 1));
    }
    i.shape = shapes[i.name];
  }
  return shapes;
}

/**
 * Nodes whose op the GPU planner cannot run (after folding), named with their node: ops with no lowering in the op
 * table (ops/registry.ts), e.g. an Expand of an activation, which only constant folding removes.
 */
export function unplannableOps(graph: Graph): { node: string; op: string }[] {
  return graph.nodes.filter((n) => !opEntry(n)?.lower).map((n) => ({ node: n.name, op: n.opType }));
}

export interface PrepareOptions extends Pick<SessionOptions, 'inputShapes'> {
  /** Keep QuantizeLinear/DequantizeLinear (QDQ models); default true. */
  keepQdq?: boolean;
  /** Skip the float activation/residual fusions (to observe every activation during calibration); see fuse/index.ts. */
  noFusion?: boolean;
}

export function prepareGraph(bytes: Uint8Array, opts: PrepareOptions = {}): Graph {
  const graph = load(bytes);
  return prepareLoaded(graph, opts);
}

export function prepareLoaded(graph: Graph, opts: PrepareOptions = {}): Graph {
  const early = unsupportedOps(graph);
  if (early.length) throw unsupported(early);
  const inputShapes = fixInputShapes(graph, opts.inputShapes);
  inferShapes(graph, inputShapes);
  simplify(graph, { inputShapes });
  inferShapes(graph, Object.fromEntries(graph.inputs.map((i) => [i.name, i.shape as number[]])));
  const left = unplannableOps(graph);
  if (left.length) throw unsupported(left, ' (it could not be folded into constants)');
  fuseGraph(graph, { noFusion: opts.noFusion });
  return graph;
}

function unsupported(list: { node: string; op: string }[], why = ''): ModelError {
  const ops = [...new Set(list.map((l) => l.op))].sort();
  const where = list.slice(0, 10).map((l) => `${l.op} '${l.node}'`).join(', ');
  return new ModelError(`unsupported op${ops.length > 1 ? 's' : ''} ${ops.join(', ')}${why}: ${where}${list.length > 10 ? ', ...' : ''}`);
}
