/** Byte builders for CAM exports: .npy (float32), CSV, 16-bit grayscale samples. Pure, no I/O. */

/** NumPy .npy v1.0 bytes of a float32 C-order array with the given shape. */
export function npyFloat32(data: Float32Array, shape: number[]): Uint8Array {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error('npy: shape does not match the data length');
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // Magic (6) + version (2) + header length (2) + header + '\n' must be a multiple of 64.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** CSV text of a height×width map, one row per line, values with `digits` significant digits. */
export function csvMap(data: Float32Array, width: number, height: number, digits = 6): string {
  const lines: string[] = [];
  for (let y = 0; y < height; y++) {
    const row: string[] = [];
    for (let x = 0; x < width; x++) row.push(Number(data[y * width + x]!.toPrecision(digits)).toString());
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** A 0..1 heat map as 16-bit grayscale samples (0..65535), for a 16-bit PNG. */
export function heatToGray16(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, data[i]!)) * 65535);
  return out;
}
