/** Every export format carries its parameters: written by the export service, read back the same (PNG text; XMP elsewhere). */
import { describe, expect, it } from 'vitest';
import { encodeImage, readImageParameters } from '../../src/services/encode';
import type { ExportFormat } from '../../src/host/host-contract';

const EXPORT_FORMATS: ExportFormat[] = ['png', 'jpeg', 'webp', 'avif', 'tiff'];

function gradient(w: number, h: number) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([i % 251, (i * 7) % 253, (i * 13) % 255, 255], i * 4);
  return { width: w, height: h, data };
}

const params = {
  'onirique:operation': 'filter',
  'onirique:kernel': 'Gaussian σ=2 — flou',
  'onirique:filter-options': JSON.stringify({ kernel: { name: 'k', matrix: [[1, 2], [3, 4]] }, border: 'reflect' }),
  'onirique:model-sha256': 'ab'.repeat(32),
};

describe('export metadata round trip', () => {
  for (const format of EXPORT_FORMATS) {
    it(`${format}: the parameters read back exactly`, async () => {
      const bytes = await encodeImage(gradient(24, 16), { format, quality: 80, metadata: params });
      expect(await readImageParameters(bytes)).toEqual(params);
    });
  }

  it('a file without Onirique parameters reads as none', async () => {
    expect(await readImageParameters(await encodeImage(gradient(8, 8), { format: 'png' }))).toBeNull();
    expect(await readImageParameters(await encodeImage(gradient(8, 8), { format: 'jpeg' }))).toBeNull();
    expect(await readImageParameters(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});
