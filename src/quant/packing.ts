/**
 * Packed integer formats: how 8- and 4-bit codes sit in the u32 words of a GPU storage buffer.
 * WebGPU buffers are little-endian, so "byte b of a word" is also byte 4j+b of the buffer in memory.
 *
 * int8x4 / uint8x4: four lanes per u32, byte k of word j = element 4j+k.
 *
 *     word j      bits 31..24 | 23..16   | 15..8    | 7..0
 *                 e[4j+3]     | e[4j+2]  | e[4j+1]  | e[4j+0]
 *     memory      byte 4j+0 = e[4j+0], byte 4j+1 = e[4j+1], ...  (a Uint8Array view lists the codes in order)
 *
 * int4x8 / uint4x8: eight lanes per u32, nibble k (bits 4k..4k+3) of word j = element 8j+k.
 *
 *     word j      bits 31..28 | 27..24 | 23..20 | 19..16 | 15..12 | 11..8 | 7..4   | 3..0
 *                 e[8j+7]     | e[8j+6]| e[8j+5]| e[8j+4]| e[8j+3]| e[8j+2]| e[8j+1]| e[8j+0]
 *     memory      byte 4j+b = e[8j+2b] in the low nibble, e[8j+2b+1] in the high nibble
 *
 * Signed lanes hold two's complement and are sign-extended on unpack: lane k of w is
 * `(i32(w) << (32 - bits*(k+1))) >> (32 - bits)` in WGSL (arithmetic right shift), `extractBits(i32(w), 8k, 8)` for int8.
 * Unsigned lanes are `(w >> bits*k) & mask`.
 *
 * Rows and padding: a tensor is packed as [rows, cols] row-major, where cols is the reduction axis and is
 * innermost (the channel axis of NHWC activations, K of [N, K] weights). Each row is padded to a multiple of the
 * lane count (4 or 8) so that every row starts on a word: wordsPerRow = ceil(cols / lanes). Pad lanes hold `pad`;
 * to keep a padded reduction exact, pad at least one operand with its zero point so that (q - z) = 0 there.
 */

export type PackedFormat = 'int8x4' | 'uint8x4' | 'int4x8' | 'uint4x8';

/** A packed [rows, cols] tensor of codes (see the module comment for the bit layout). */
export interface PackedTensor {
  format: PackedFormat;
  rows: number;
  /** Logical length of a row (the reduction axis), before padding. */
  cols: number;
  /** ceil(cols / lanes): u32 words per row, padding included. */
  wordsPerRow: number;
  /** rows * wordsPerRow words. */
  data: Uint32Array;
}

/** Lane width in bits, lanes per word, whether lanes are signed. */
export function formatInfo(format: PackedFormat): { bits: 4 | 8; lanes: 4 | 8; signed: boolean } {
  switch (format) {
    case 'int8x4': return { bits: 8, lanes: 4, signed: true };
    case 'uint8x4': return { bits: 8, lanes: 4, signed: false };
    case 'int4x8': return { bits: 4, lanes: 8, signed: true };
    case 'uint4x8': return { bits: 4, lanes: 8, signed: false };
  }
}

/** Words per padded row. */
export function packedWordsPerRow(cols: number, format: PackedFormat): number {
  return Math.ceil(cols / formatInfo(format).lanes);
}

/** Bytes of a packed [rows, cols] tensor (a multiple of 4). */
export function packedByteLength(rows: number, cols: number, format: PackedFormat): number {
  return rows * packedWordsPerRow(cols, format) * 4;
}

/**
 * Packs codes (row-major [rows, cols], rows = q.length / cols) into u32 words.
 * Throws if a code or `pad` does not fit the lane.
 */
export function pack(q: ArrayLike<number>, format: PackedFormat, cols: number = q.length, pad = 0): PackedTensor {
  const { bits, lanes, signed } = formatInfo(format);
  if (!Number.isInteger(cols) || cols < 1 || q.length % cols !== 0) {
    throw new Error(`pack ${format}: ${q.length} codes do not form rows of ${cols}`);
  }
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const check = (v: number, where: string): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`pack ${format}: ${where} = ${v} outside [${lo}, ${hi}]`);
  };
  check(pad, 'pad');
  const rows = q.length / cols;
  const wordsPerRow = Math.ceil(cols / lanes);
  const data = new Uint32Array(rows * wordsPerRow);
  const mask = 2 ** bits - 1;
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < wordsPerRow; w++) {
      let word = 0;
      for (let k = 0; k < lanes; k++) {
        const c = w * lanes + k;
        let v = pad;
        if (c < cols) {
          v = q[r * cols + c];
          check(v, `code [${r}, ${c}]`);
        }
        word |= (v & mask) << (bits * k); // two's complement bits of v, truncated to the lane
      }
      data[r * wordsPerRow + w] = word >>> 0;
    }
  }
  return { format, rows, cols, wordsPerRow, data };
}

/** Lane k of a word: sign-extended for signed formats, exactly as the WGSL expression in the module comment. */
export function laneOf(word: number, k: number, format: PackedFormat): number {
  const { bits, signed } = formatInfo(format);
  return signed ? (word << (32 - bits * (k + 1))) >> (32 - bits) : (word >>> (bits * k)) & (2 ** bits - 1);
}

/** Codes of a packed tensor, padding dropped: Int8Array for signed formats, Uint8Array for unsigned. */
export function unpack(p: PackedTensor): Int8Array | Uint8Array {
  const { lanes, signed } = formatInfo(p.format);
  if (p.wordsPerRow !== Math.ceil(p.cols / lanes) || p.data.length !== p.rows * p.wordsPerRow) {
    throw new Error(`unpack ${p.format}: ${p.data.length} words do not hold [${p.rows}, ${p.cols}]`);
  }
  const out = signed ? new Int8Array(p.rows * p.cols) : new Uint8Array(p.rows * p.cols);
  for (let r = 0; r < p.rows; r++) {
    for (let c = 0; c < p.cols; c++) {
      const word = p.data[r * p.wordsPerRow + Math.floor(c / lanes)];
      out[r * p.cols + c] = laneOf(word, c % lanes, p.format);
    }
  }
  return out;
}
