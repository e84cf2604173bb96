/** Validation of untrusted IPC arguments: names, ids, export requests. */
import { describe, expect, it } from 'vitest';
import { parseExportRequest, parseFileName, parseHostId } from '../../src/services/validate';

const image = { width: 2, height: 1, data: new Uint8ClampedArray(8) };

describe('parseFileName', () => {
  it('refuses directory parts and names Windows would misread', () => {
    for (const bad of ['../x.png', 'a/b.png', 'a\\b.png', '..', '.', 'C:x.png', 'x.png:stream', 'CON', 'nul.png', 'COM1.jpg', 'x.png.', 'x.png ', 'a\nb.png', '', 'x'.repeat(256), 42, null]) {
      expect(() => parseFileName(bad), String(bad)).toThrow('File name is invalid.');
    }
  });
  it('accepts ordinary names, accents and spaces included', () => {
    for (const ok of ['photo.png', 'Rêve n°1 (copie).jpg', '.hidden.png', 'console.png', '夢.webp']) expect(parseFileName(ok)).toBe(ok);
  });
});

describe('parseHostId', () => {
  it('accepts issued shapes only', () => {
    expect(parseHostId('7b0c4b8e-0000-4000-8000-000000000000')).toMatch(/^7b0c/);
    expect(parseHostId('0123456789abcdef')).toBe('0123456789abcdef');
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'abc', '', 12, null, 'g123456789abcdef']) expect(() => parseHostId(bad)).toThrow(/invalid/);
  });
});

describe('parseExportRequest', () => {
  const base = { image, format: 'png', suggestedName: 'out.png' };

  it('passes a valid request through, copyExif defaulting to false', () => {
    expect(parseExportRequest(base)).toMatchObject({ format: 'png', quality: 90, copyExif: false, metadata: {} });
    expect(parseExportRequest({ ...base, copyExif: true, sourceDocId: '0123456789abcdef' }).copyExif).toBe(true);
  });

  it('refuses malformed fields', () => {
    const bad: Record<string, unknown>[] = [
      { ...base, format: 'bmp' },
      { ...base, quality: 0 },
      { ...base, quality: Number.NaN },
      { ...base, suggestedName: '../out.png' },
      { ...base, copyExif: 'yes', sourceDocId: '0123456789abcdef' },
      { ...base, copyExif: true },
      { ...base, sourceDocId: '../../etc/passwd' },
      { ...base, metadata: { k: 3 } },
      { ...base, metadata: ['a'] },
      { ...base, metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
      { ...base, metadata: { k: 'x'.repeat(70_000) } },
      { ...base, image: { width: 2, height: 2, data: new Uint8ClampedArray(8) } },
    ];
    for (const req of bad) expect(() => parseExportRequest(req)).toThrow();
  });
});
