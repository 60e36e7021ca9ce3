/**
 * ONNX bytes -> IR Graph: decodes the ModelProto, checks the opset (7 to 22 for the default domain), decodes
 * initializers and attributes, names unnamed nodes `<opType>_<index>`, and sorts the nodes topologically.
 */
import { ModelError, type AttrValue, type Dim, type Graph, type Node, type TensorData, type ValueInfo } from '../ir.ts';
import { topoSort } from '../passes/toposort.ts';
import { type AttributeProtoMsg, decodeAttr } from './attrs.ts';
import { codeName, dtypeFromCode } from './dtypes.ts';
import { type Int64, int64ToNumber, onnxTypes } from './schema.ts';
import { decodeTensor, type TensorProtoMsg } from './tensor-decode.ts';

/**
 * The opsets of the default domain that the front end understands. 7 is where numpy broadcasting replaced the
 * `broadcast` attribute of Add/Mul/Gemm; older semantics (Upsample-7 scales attribute, BatchNormalization-7
 * `spatial`, Clip-6 attributes, Slice-1 / Pad-2 / Squeeze-1 attributes, Resize-10, Softmax < 13) are read by the
 * shape rules and lowerings. 22 only widened types (bfloat16) over 21.
 */
export const MIN_OPSET = 7;
export const MAX_OPSET = 22;

interface ValueInfoMsg {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: Int64; dim_param?: string }[] } } };
}
interface NodeMsg {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProtoMsg[];
}
interface GraphMsg {
  node?: NodeMsg[];
  name?: string;
  initializer?: TensorProtoMsg[];
  sparse_initializer?: unknown[];
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
  value_info?: ValueInfoMsg[];
}
interface ModelMsg {
  ir_version?: Int64;
  opset_import?: { domain?: string; version?: Int64 }[];
  producer_name?: string;
  producer_version?: string;
  graph?: GraphMsg;
}

/** Parses an ONNX model. Throws ModelError for malformed files and for anything the IR cannot hold. */
export function load(bytes: Uint8Array): Graph {
  try {
    return loadModel(bytes);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    // A damaged file can decode into messages no reader expects (wrong field kinds, defaults in odd places): name
    // the step rather than let a TypeError from deep inside escape as if it were a bug in the caller's code.
    throw new ModelError(`not a valid ONNX file (${bytes.length} bytes): reading the graph failed: ${(e as Error).message}`);
  }
}

function loadModel(bytes: Uint8Array): Graph {
  let model: ModelMsg;
  try {
    model = onnxTypes().ModelProto.decode(bytes) as unknown as ModelMsg;
  } catch (e) {
    throw new ModelError(`not a valid ONNX file (${bytes.length} bytes): ${(e as Error).message}`);
  }
  const g = model.graph;
  if (!g || !model.opset_import?.length) {
    throw new ModelError(`not a valid ONNX file (${bytes.length} bytes): no graph or no opset_import`);
  }
  const { opset, opsetImports } = readOpsets(model);
  if (g.sparse_initializer?.length) throw new ModelError('sparse initializers are not supported');

  const initializers = new Map<string, TensorData>();
  for (const t of g.initializer ?? []) {
    if (!t.name) throw new ModelError('an initializer has no name');
    if (initializers.has(t.name)) throw new ModelError(`initializer '${t.name}' is defined twice`);
    initializers.set(t.name, decodeTensor(t, `initializer '${t.name}'`));
  }
  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => valueInfo(v, 'graph input'));
  const outputs = (g.output ?? []).map((v) => valueInfo(v, 'graph output'));
  const valueInfos = new Map<string, ValueInfo>();
  for (const v of g.value_info ?? []) {
    if (v.name && v.type?.tensor_type) valueInfos.set(v.name, valueInfo(v, 'value_info'));
  }
  const graph: Graph = {
    name: g.name ?? '',
    nodes: readNodes(g.node ?? []),
    initializers,
    inputs,
    outputs,
    valueInfo: valueInfos,
    opset,
    opsetImports,
    producer: [model.producer_name, model.producer_version].filter(Boolean).join(' ') || undefined,
  };
  return topoSort(graph);
}

function readOpsets(model: ModelMsg): { opset: number; opsetImports: Record<string, number> } {
  let opset = 0;
  const opsetImports: Record<string, number> = {};
  for (const o of model.opset_import ?? []) {
    const domain = o.domain ?? '';
    const version = int64ToNumber(o.version);
    if (domain === '' || domain === 'ai.onnx') opset = version;
    else opsetImports[domain] = version;
  }
  if (!opset) throw new ModelError('the model imports no opset of the default ONNX domain');
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ModelError(`opset ${opset} is not supported (supported: ${MIN_OPSET} to ${MAX_OPSET}); ` +
      `convert the model with onnx.version_converter`);
  }
  return { opset, opsetImports };
}

function readNodes(msgs: NodeMsg[]): Node[] {
  const names = new Set<string>();
  return msgs.map((m, index) => {
    const opType = m.op_type ?? '';
    if (!opType) throw new ModelError(`node ${index} ('${m.name ?? ''}') has no op_type`);
    // Unnamed nodes get `<opType>_<index>`; a repeated name gets the index appended so names stay unique.
    let name = m.name || `${opType}_${index}`;
    if (names.has(name)) name = `${name}_${index}`;
    names.add(name);
    const attrs: Record<string, AttrValue> = {};
    for (const a of m.attribute ?? []) {
      if (!a.name) throw new ModelError('an attribute has no name', name, opType);
      const v = decodeAttr(a, `${opType} '${name}'`);
      if (v) attrs[a.name] = v;
    }
    const domain = m.domain === 'ai.onnx' ? '' : m.domain ?? '';
    return { name, opType, domain, inputs: [...(m.input ?? [])], outputs: [...(m.output ?? [])], attrs };
  });
}

function valueInfo(v: ValueInfoMsg, what: string): ValueInfo {
  const name = v.name ?? '';
  if (!name) throw new ModelError(`a ${what} has no name`);
  const tt = v.type?.tensor_type;
  if (!tt) throw new ModelError(`${what} '${name}' is not a tensor`);
  const code = tt.elem_type ?? 0;
  const dtype = dtypeFromCode(code);
  if (!dtype) throw new ModelError(`${what} '${name}' has unsupported data type ${codeName(code)}`);
  const shape: Dim[] = (tt.shape?.dim ?? []).map((d, i) => {
    if (d.dim_param) return d.dim_param;
    if (Object.prototype.hasOwnProperty.call(d, 'dim_value')) return int64ToNumber(d.dim_value);
    return `${name}_dim${i}`;
  });
  return { name, dtype, shape };
}
