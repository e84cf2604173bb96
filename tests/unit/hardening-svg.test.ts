/** SVG files are named as SVG in the refusal, whatever XML prologue comes before the <svg> element. */
import { describe, expect, it } from 'vitest';
import { preflight } from '../../src/services/image-decode';

const svgBody = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
const doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">';

describe('SVG refusals say SVG', () => {
  it.each([
    ['a DOCTYPE', `${doctype}\n${svgBody}`],
    ['an XML declaration and a DOCTYPE', `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}\n${svgBody}`],
    ['a DOCTYPE with an internal subset', `<!DOCTYPE svg [\n  <!ENTITY a "b">\n]>\n${svgBody}`],
    ['a leading comment', `<!-- Generator: Adobe Illustrator 27.0 -->\n${svgBody}`],
    ['an XML declaration, comments and a DOCTYPE', `<?xml version="1.0"?>\n<!-- one -->\n<!-- two\nlines -->\n${doctype}\n${svgBody}`],
    ['a byte-order mark and a long comment', `\uFEFF<!-- ${'x'.repeat(2000)} -->${svgBody}`],
  ])('with %s', (_label, text) => {
    expect(() => preflight(new TextEncoder().encode(text), 'drawing.svg')).toThrow(/^“drawing\.svg” is an SVG drawing \(vector images are not opened, for safety\), not an image/);
  });

  it('still calls other XML and HTML text files text', () => {
    for (const text of [`<?xml version="1.0"?>\n<!-- c -->\n<html><body>hi</body></html>`, `<!DOCTYPE html>\n<html></html>`]) {
      expect(() => preflight(new TextEncoder().encode(text), 'page.html')).toThrow(/^“page\.html” is a text file/);
    }
  });
});

describe('the SVG check is linear', () => {
  it('a thousand comments before a non-SVG element are answered in milliseconds', () => {
    const text = `${'<!-- -->'.repeat(1000)}<x>`;
    const t0 = performance.now();
    expect(() => preflight(new TextEncoder().encode(text), 'many.xml')).toThrow(/is a text file/);
    expect(performance.now() - t0).toBeLessThan(100);
  });
});
