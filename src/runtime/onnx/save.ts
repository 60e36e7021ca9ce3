/**
 * IR Graph -> ONNX bytes (ModelProto). Initializers are written to raw_data. The IR version follows the opset:
 * 8 up to opset 18, 9 for 19-20, 10 for 21 (int4/uint4 tensors need opset 21 and IR 10).
 */
import { ModelError, type Graph, type ValueInfo } from '../ir.ts';
import { encodeAttr } from './attrs.ts';
import { dtypeToCode } from './dtypes.ts';
import { onnxTypes } from './schema.ts';
import { encodeTensor } from './tensor-encode.ts';

/** The ONNX IR version that goes with an opset of the default domain. */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/** Serializes a graph. Graph inputs and outputs keep the shapes and dtypes of `graph.inputs` / `graph.outputs`. */
export function save(graph: Graph): Uint8Array {
  const usesInt4 = [...graph.initializers.values()].some((t) => t.dtype === 'int4' || t.dtype === 'uint4');
  if (usesInt4 && graph.opset < 21) {
    throw new ModelError(`int4/uint4 initializers need opset 21, the graph has opset ${graph.opset}`);
  }
  const opsetImport = [{ domain: '', version: graph.opset }];
  for (const [domain, version] of Object.entries(graph.opsetImports ?? {})) opsetImport.push({ domain, version });
  // value_info lists intermediate values only: not initializers, graph inputs or graph outputs.
  const io = new Set([...graph.inputs, ...graph.outputs].map((v) => v.name));
  const valueInfo = [...graph.valueInfo.values()].filter((v) => !graph.initializers.has(v.name) && !io.has(v.name));
  const model = {
    ir_version: irVersionFor(graph.opset),
    opset_import: opsetImport,
    producer_name: graph.producer ?? 'quantgpu',
    graph: {
      name: graph.name || 'graph',
      node: graph.nodes.map((n) => ({
        name: n.name,
        op_type: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) => encodeAttr(k, v)),
      })),
      initializer: [...graph.initializers].map(([name, t]) => encodeTensor(t, name)),
      input: graph.inputs.map(valueInfoMsg),
      output: graph.outputs.map(valueInfoMsg),
      value_info: valueInfo.map(valueInfoMsg),
    },
  };
  const T = onnxTypes().ModelProto;
  return T.encode(T.fromObject(model)).finish();
}

function valueInfoMsg(v: ValueInfo): object {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name: v.name, type: { tensor_type: { elem_type: dtypeToCode(v.dtype), shape: { dim } } } };
}
