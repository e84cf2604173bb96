/** Onirique parameters as an XMP packet (UTF-8 safe, unlike EXIF ImageDescription), and back. */

/** Namespace of the Onirique XMP properties. */
export const ONIRIQUE_XMP_NS = 'https://onirique.app/ns/1.0/';

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&amp;/g, '&');

/** An XMP packet carrying the parameters as one JSON object (keys may be any text). */
export function buildXmp(params: Record<string, string>): string {
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:onirique="${ONIRIQUE_XMP_NS}" xmp:CreatorTool="Onirique">` +
    `<onirique:parameters>${escapeXml(JSON.stringify(params))}</onirique:parameters>` +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

/** Parameters read back from an XMP packet; null when it carries none (or they are damaged). */
export function readXmpParameters(xmp: Uint8Array | string): Record<string, string> | null {
  const text = typeof xmp === 'string' ? xmp : new TextDecoder('utf-8').decode(xmp);
  const m = /<onirique:parameters>([\s\S]*?)<\/onirique:parameters>/.exec(text);
  if (!m) return null;
  try {
    const v: unknown = JSON.parse(unescapeXml(m[1]!));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
    return out;
  } catch {
    return null;
  }
}
