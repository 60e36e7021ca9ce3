/** Agreement of a dequantized output with its reference, in LSBs of the output's scale, and SQNR. */

export interface Agreement {
  name: string;
  count: number;
  /** Largest |ours - ref| / scale, rounded. */
  maxLsb: number;
  /** Elements that differ at all. */
  off: number;
  offFraction: number;
  /** 10 log10(sum ref^2 / sum (ours - ref)^2); Infinity when bit-exact. */
  sqnr: number;
}

export function agreement(name: string, ours: ArrayLike<number>, ref: ArrayLike<number>, scale: number): Agreement {
  if (ours.length !== ref.length) throw new Error(`${name}: ${ours.length} values vs ${ref.length} in the reference`);
  let maxLsb = 0;
  let off = 0;
  let sig = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ours[i] - ref[i];
    const lsb = Math.round(Math.abs(d) / scale);
    if (!Number.isFinite(d)) throw new Error(`${name}[${i}]: ours ${ours[i]}, reference ${ref[i]}`);
    if (lsb > 0) off++;
    maxLsb = Math.max(maxLsb, lsb);
    sig += ref[i] * ref[i];
    err += d * d;
  }
  return { name, count: ref.length, maxLsb, off, offFraction: off / ref.length, sqnr: err === 0 ? Infinity : 10 * Math.log10(sig / err) };
}

export function formatAgreement(a: Agreement): string {
  const db = Number.isFinite(a.sqnr) ? `${a.sqnr.toFixed(1)} dB` : 'exact';
  return `${a.name}: max ${a.maxLsb} LSB, ${a.off}/${a.count} off (${(100 * a.offFraction).toFixed(3)}%), SQNR ${db}`;
}
