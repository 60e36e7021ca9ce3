/** NodeProto attributes <-> IR AttrValue. */
import { ModelError, type AttrValue } from '../ir.ts';
import { type Int64, int64ToNumber } from './schema.ts';
import { decodeTensor, type TensorProtoMsg } from './tensor-decode.ts';
import { encodeTensor } from './tensor-encode.ts';

export interface AttributeProtoMsg {
  name?: string;
  ref_attr_name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProtoMsg;
  g?: unknown;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: unknown[];
  graphs?: unknown[];
}

const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, FLOATS = 6, INTS = 7, STRINGS = 8;
const utf8 = new TextDecoder();
const utf8enc = new TextEncoder();

/**
 * Decodes one attribute, or returns undefined for kinds the IR does not hold (subgraphs, tensor lists, sparse
 * tensors, type protos): nodes carrying them (If, Loop, Scan...) are not supported ops anyway, and are reported
 * as such by name rather than failing the load.
 */
export function decodeAttr(a: AttributeProtoMsg, where: string): AttrValue | undefined {
  const type = a.type || guessType(a);
  switch (type) {
    case FLOAT: return { type: 'float', value: a.f ?? 0 };
    case INT: return { type: 'int', value: int64ToNumber(a.i) };
    case STRING: return { type: 'string', value: utf8.decode(bytesField(a.s, where, a.name)) };
    case TENSOR:
      if (!a.t) throw new ModelError(`${where}: attribute '${a.name}' has type TENSOR but no tensor`);
      return { type: 'tensor', value: decodeTensor(a.t, `${where} attribute '${a.name}'`) };
    case FLOATS: return { type: 'floats', value: [...(a.floats ?? [])] };
    case INTS: return { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
    case STRINGS: return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(bytesField(s, where, a.name))) };
    default: return undefined;
  }
}

/**
 * A bytes field as a Uint8Array. protobufjs leaves an unset bytes field at its default (a plain empty array), and a
 * damaged file can declare a STRING attribute whose payload is missing or of another wire type.
 */
function bytesField(v: unknown, where: string, name: string | undefined): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array();
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return Uint8Array.from(v);
  throw new ModelError(`${where}: attribute '${name ?? ''}' has type STRING but its value is not a byte string`);
}

/** IR version 1 attributes have no type field: infer it from the field that is set. */
function guessType(a: AttributeProtoMsg): number {
  if (a.floats?.length) return FLOATS;
  if (a.ints?.length) return INTS;
  if (a.strings?.length) return STRINGS;
  if (a.t) return TENSOR;
  if (a.s && a.s.length) return STRING;
  if (Object.prototype.hasOwnProperty.call(a, 'f')) return FLOAT;
  if (Object.prototype.hasOwnProperty.call(a, 'i')) return INT;
  return 0;
}

export function encodeAttr(name: string, v: AttrValue): AttributeProtoMsg {
  switch (v.type) {
    case 'float': return { name, type: FLOAT, f: v.value };
    case 'int': return { name, type: INT, i: v.value };
    case 'string': return { name, type: STRING, s: utf8enc.encode(v.value) };
    case 'tensor': return { name, type: TENSOR, t: encodeTensor(v.value, '') };
    case 'floats': return { name, type: FLOATS, floats: v.value };
    case 'ints': return { name, type: INTS, ints: v.value };
    case 'strings': return { name, type: STRINGS, strings: v.value.map((s) => utf8enc.encode(s)) };
  }
}
