/** JSON-safe encoding of byte arrays, for hosts reached through a JSON-only channel (the e2e binding). */

/** A byte array in transit. */
export interface Base64Bytes {
  __b64: string;
  clamped: boolean;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) s += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Replaces typed byte arrays by base64 records, recursively. */
export function encodeBinary(v: unknown): unknown {
  if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) {
    return { __b64: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)), clamped: v instanceof Uint8ClampedArray } satisfies Base64Bytes;
  }
  if (Array.isArray(v)) return v.map(encodeBinary);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeBinary(x)]));
  return v;
}

/** Inverse of encodeBinary. */
export function decodeBinary(v: unknown): unknown {
  if (v && typeof v === 'object' && '__b64' in v) {
    const b = fromBase64((v as Base64Bytes).__b64);
    return (v as Base64Bytes).clamped ? new Uint8ClampedArray(b.buffer) : b;
  }
  if (Array.isArray(v)) return v.map(decodeBinary);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeBinary(x)]));
  return v;
}
