// Native helpers of Espruino's E object, written from their documented semantics and checked
// against Espruino's src/jswrap_espruino.c.

/** Values Espruino iterates as numbers: arrays, typed arrays, ArrayBuffers, strings (char codes). */
function elements(v: unknown, what: string): ArrayLike<number> {
  if (v instanceof Float32Array || v instanceof Int16Array || v instanceof Int8Array || v instanceof Uint8Array || v instanceof Float64Array) return v; // the hot cases first
  if (typeof v === 'string') return Array.prototype.map.call(v, (c: string) => c.charCodeAt(0)) as number[];
  if (Object.prototype.toString.call(v) === '[object ArrayBuffer]') return new Uint8Array(v as ArrayBuffer);
  if (ArrayBuffer.isView(v) && Object.prototype.toString.call(v) !== '[object DataView]') return v as unknown as ArrayLike<number>;
  if (Array.isArray(v)) return v as number[];
  throw new TypeError(`${what}: expecting an iterable (array, typed array, ArrayBuffer or string), got ${v === null ? 'null' : typeof v}`);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * E.CRC32: the standard reflected CRC-32 (polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF,
 * as zlib's crc32), one byte per element (low 8 bits), returned unsigned.
 */
export function crc32(data: unknown): number {
  const a = elements(data, 'E.CRC32');
  let crc = 0xffffffff;
  for (let i = 0; i < a.length; i++) crc = CRC_TABLE[(crc ^ (Number(a[i]) & 0xff)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * E.convolve(a, b, offset): sum over i of a[i] * b[(i + offset) mod b.length]. Every element of
 * `a` is used once; `b` wraps around (a negative offset wraps too), so it is a circular
 * correlation, not a zero-padded one.
 */
export function convolve(a: unknown, b: unknown, offset: number): number {
  const x = elements(a, 'E.convolve');
  const y = elements(b, 'E.convolve');
  if (y.length === 0) throw new RangeError('E.convolve: second array is empty');
  let j = (offset | 0) % y.length;
  if (j < 0) j += y.length;
  let sum = 0;
  if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
    // Typed arrays (the pedometer's case, every window): runs up to the wrap, no coercion; the
    // same products added in the same order as the general loop, so the same sum to the bit.
    for (let i = 0; i < x.length; ) {
      const run = Math.min(x.length - i, y.length - j);
      for (let k = 0; k < run; k++) sum += x[i + k] * y[j + k];
      i += run;
      j += run;
      if (j === y.length) j = 0;
    }
    return sum;
  }
  for (let i = 0; i < x.length; i++) {
    sum += Number(x[i]) * Number(y[j]);
    if (++j === y.length) j = 0;
  }
  return sum;
}

/** E.sum(arr): the sum of the elements, in index order. */
export function sum(a: unknown): number {
  const x = elements(a, 'E.sum');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Number(x[i]);
  return s;
}

/**
 * E.variance(arr, mean): despite its name, the SUM of the squared deviations from mean, in index
 * order (src/jswrap_espruino.c does not divide by the length).
 */
export function variance(a: unknown, mean: number): number {
  const x = elements(a, 'E.variance');
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Number(x[i]) - mean;
    s += v * v;
  }
  return s;
}
