/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), little-endian, C order.
 *
 * Layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *
 *   bytes 0..5   \x93 N U M P Y        magic
 *   byte  6      major version (1, 2 or 3)
 *   byte  7      minor version (0)
 *   bytes 8..9   header length HLEN, u16 LE        (v1)
 *   bytes 8..11  header length HLEN, u32 LE        (v2/v3: v3 only allows a UTF-8 header)
 *   HLEN bytes   Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *                padded with spaces and ending in '\n' so that the data starts at a multiple of 64
 *   data         the array, C order, dtype `descr`
 */

export type NpyDtype = 'f2' | 'f4' | 'f8' | 'i1' | 'u1' | 'i4' | 'i8';

/** `f2` values stay raw (Uint16Array of IEEE half bits); `i8` values are BigInt64Array. */
export type NpyData = Uint16Array | Float32Array | Float64Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

const ctors = {
  f2: Uint16Array, f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i4: Int32Array, i8: BigInt64Array,
} as const;

/** The dtype of a typed array (a Uint16Array is taken as `f2`, half-float bits). */
export function dtypeOf(data: NpyData): NpyDtype {
  for (const [k, C] of Object.entries(ctors)) if (data instanceof C) return k as NpyDtype;
  throw new Error('npy: unsupported typed array');
}

const product = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new Error(`npy: malformed header ${JSON.stringify(text)}`);
  }
  const dims = shape.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`npy: bad shape (${shape})`);
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** Parses a `.npy` file. Throws on big-endian or Fortran-order data and on unsupported dtypes. */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error('npy: missing \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let hlen: number;
  if (major === 1) [headerStart, hlen] = [10, view.getUint16(8, true)];
  else if (major === 2 || major === 3) [headerStart, hlen] = [12, view.getUint32(8, true)];
  else throw new Error(`npy: unsupported format version ${major}.${bytes[7]}`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + hlen));
  const { descr, fortran, shape } = parseHeader(text);
  if (fortran) throw new Error(`npy: fortran_order arrays are not supported (descr ${descr}, shape [${shape}])`);
  const m = /^([<>|=])([fiu][1248])$/.exec(descr);
  const dtype = m?.[2] as NpyDtype | undefined;
  if (!m || !dtype || !(dtype in ctors)) throw new Error(`npy: unsupported dtype '${descr}'`);
  if (m[1] === '>' && dtype !== 'i1' && dtype !== 'u1') throw new Error(`npy: big-endian dtype '${descr}' not supported`);
  const C = ctors[dtype];
  const n = product(shape);
  const start = headerStart + hlen;
  if (bytes.length < start + n * C.BYTES_PER_ELEMENT) {
    throw new Error(`npy: file too short for ${descr} shape [${shape}] (${bytes.length} bytes)`);
  }
  // Copy so that the result is aligned and owns its memory (a Node Buffer's slice() would not copy).
  const copy = new Uint8Array(n * C.BYTES_PER_ELEMENT);
  copy.set(bytes.subarray(start, start + copy.length));
  const data = new C(copy.buffer);
  return { dtype, shape, data };
}

/** Serialises an array as `.npy` version 1.0 (2.0 when the header does not fit in 65535 bytes). */
export function writeNpy(arr: { shape: number[]; data: NpyData; dtype?: NpyDtype }): Uint8Array {
  const dtype = arr.dtype ?? dtypeOf(arr.data);
  if (!(arr.data instanceof ctors[dtype])) throw new Error(`npy: data is not a ${dtype} typed array`);
  if (product(arr.shape) !== arr.data.length) {
    throw new Error(`npy: shape [${arr.shape}] holds ${product(arr.shape)} values, data has ${arr.data.length}`);
  }
  const order = dtype === 'i1' || dtype === 'u1' ? '|' : '<';
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const dict = `{'descr': '${order}${dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const v1 = dict.length + 11 < 65536;
  const pre = v1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + arr.data.byteLength);
  out.set(MAGIC);
  out[6] = v1 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (v1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  // Typed arrays are little-endian on every platform WebGPU runs on.
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength), total);
  return out;
}
