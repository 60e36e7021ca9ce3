/** The ONNX front end: parse, save, infer shapes, simplify. */
export { load, MAX_OPSET, MIN_OPSET } from './load.ts';
export { irVersionFor, save } from './save.ts';
export { inferShapes, SUPPORTED_OPS, unsupportedOps } from '../shapes/infer.ts';
export type { InputShapes } from '../shapes/propagate.ts';
export { resolveWindow, type Window } from '../shapes/window.ts';
export {
  eliminateIdentity, foldBatchNorm, foldConstants, type FoldOptions, removeDeadNodes, simplify, topoSort,
} from '../passes/index.ts';
