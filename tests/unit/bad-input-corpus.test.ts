/**
 * A generated bad-input corpus: small re-encodes of every shared photo, mutated with a seeded generator
 * (truncations, flipped header bytes, lying sizes, wrong extensions), through the decoder the CLI uses.
 * Each case must decode or be refused with one line naming the file, quickly and without a memory blow-up.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, UserFacingError } from '../../src/services/image-decode';
import { corpus, type Case } from './bad-input-corpus-cases';

type Outcome = 'decoded' | 'refused' | 'failure';

async function run(c: Case): Promise<{ outcome: Outcome; ms: number; detail: string }> {
  const t0 = performance.now();
  try {
    await decodeImage(c.bytes, c.name);
    return { outcome: 'decoded', ms: performance.now() - t0, detail: '' };
  } catch (e) {
    const ms = performance.now() - t0;
    const msg = e instanceof Error ? e.message : String(e);
    const clean = e instanceof UserFacingError && msg.includes(`“${c.name}”`) && !msg.includes('\n') && !/\s+at\s/.test(msg);
    return { outcome: clean ? 'refused' : 'failure', ms, detail: `${e instanceof Error ? e.name : typeof e}: ${msg}` };
  }
}

describe('the bad-input corpus', () => {
  const cases: Case[] = [];
  beforeAll(async () => {
    cases.push(...(await corpus()));
  }, 60_000);

  it('every case decodes or is refused with one line naming the file, each under 10 s, RSS growth under 1 GB', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const counts: Record<Outcome, number> = { decoded: 0, refused: 0, failure: 0 };
    const failures: string[] = [];
    const rss0 = process.memoryUsage().rss;
    let maxRss = rss0;
    let slowest = 0;
    for (const c of cases) {
      const r = await run(c);
      counts[r.outcome]++;
      slowest = Math.max(slowest, r.ms);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (r.outcome === 'failure' || r.ms > 10_000) failures.push(`${c.name} (${r.ms.toFixed(0)} ms): ${r.detail}`);
      // A cut TIFF must never open with black rows in place of its missing strips.
      if (/^cut\d+-.*\.tif$/.test(c.name) && r.outcome !== 'refused') failures.push(`${c.name}: a truncated TIFF was ${r.outcome}`);
    }
    console.log(
      `bad-input corpus: ${cases.length} tried, ${counts.decoded} decoded, ${counts.refused} refused cleanly, ${counts.failure} failures; ` +
        `slowest ${slowest.toFixed(0)} ms, RSS growth ${((maxRss - rss0) / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(failures).toEqual([]);
    expect(maxRss - rss0).toBeLessThan(2 ** 30);
  }, 120_000);
});
