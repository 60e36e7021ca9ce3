/**
 * CIFAR-10 binary format and top-1 accuracy.
 *
 * One record = 3073 bytes:  [label u8][R plane 32x32][G plane 32x32][B plane 32x32], planes row-major.
 * That is already NCHW, so a batch is each record's 3072 pixel bytes mapped through the pixel transform.
 */
import { type PixelTransform, channelAffine } from '../pre/preprocess.ts';

export const CIFAR_RECORD_BYTES = 3073;
export const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** ResNet-20 (CIFAR): x/255 then ImageNet mean/std, RGB. */
export const CIFAR_RESNET20: PixelTransform = {
  scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
};
/** ResNet-8 (MLPerf Tiny): raw 0..255 RGB. */
export const CIFAR_RAW: PixelTransform = { scale: 1 };

export interface ImageBatch {
  /** NCHW f32 [n, 3, 32, 32]. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
}

/** Number of records in a CIFAR-10 binary file; throws if the size is not a whole number of records. */
export function cifarCount(bytes: Uint8Array): number {
  if (bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new Error(`cifar: ${bytes.length} bytes is not a multiple of ${CIFAR_RECORD_BYTES}`);
  }
  return bytes.length / CIFAR_RECORD_BYTES;
}

/** Records [start, start+count) as an NCHW float batch. Only the channel affine of `t` is used (no BGR swap). */
export function readCifarBatch(bytes: Uint8Array, t: PixelTransform, start = 0, count = cifarCount(bytes) - start): ImageBatch {
  const total = cifarCount(bytes);
  if (start < 0 || count < 0 || start + count > total) {
    throw new Error(`cifar: records [${start}, ${start + count}) out of range (file has ${total})`);
  }
  if (t.channelOrder === 'bgr') throw new Error('cifar: planes are RGB; BGR order is not supported here');
  const { mul, add } = channelAffine(t);
  const images = new Float32Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const rec = (start + i) * CIFAR_RECORD_BYTES;
    labels[i] = bytes[rec];
    for (let k = 0; k < 3072; k++) {
      const c = k >> 10; // 1024 pixels per plane
      images[i * 3072 + k] = bytes[rec + 1 + k] * mul[c] + add[c];
    }
  }
  return { images, labels, n: count };
}

/** Index of the largest logit of each row of a row-major [n, classes] array (first wins on ties). */
export function argmaxRows(logits: ArrayLike<number>, classes: number): Int32Array {
  if (logits.length % classes !== 0) throw new Error(`argmax: ${logits.length} values is not n x ${classes}`);
  const out = new Int32Array(logits.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Top-1 accuracy in [0, 1] of [n, classes] logits against n labels. */
export function top1(logits: ArrayLike<number>, labels: ArrayLike<number>, classes = 10): number {
  const pred = argmaxRows(logits, classes);
  if (pred.length !== labels.length) throw new Error(`top1: ${pred.length} predictions for ${labels.length} labels`);
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hits++;
  return pred.length ? hits / pred.length : 0;
}
