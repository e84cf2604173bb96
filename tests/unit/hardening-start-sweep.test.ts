/** At start, the host services remove the temp files a killed writer left in the user-data folder. */
import { mkdtemp, mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostServices } from '../../src/services/host-services';

describe('HostServices.init', () => {
  it('sweeps stale temp files of killed writes, keeps young ones and the user’s files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onirique-sweep-'));
    await mkdir(join(dir, 'recovery'));
    const old = Date.now() / 1000 - 3600;
    const stale = [join(dir, '.settings.json.0123456789ab.tmp'), join(dir, 'recovery', '.document.png.ba9876543210.tmp')];
    for (const f of stale) {
      await writeFile(f, 'partial');
      await utimes(f, old, old);
    }
    // A write in progress in another process (young) and files that only look similar stay.
    await writeFile(join(dir, 'recovery', '.document.png.aaaaaaaaaaaa.tmp'), 'in progress');
    await writeFile(join(dir, 'notes.tmp'), 'mine');
    await utimes(join(dir, 'notes.tmp'), old, old);
    await new HostServices(dir).init();
    expect((await readdir(dir)).sort()).toEqual(['notes.tmp', 'recovery']);
    expect(await readdir(join(dir, 'recovery'))).toEqual(['.document.png.aaaaaaaaaaaa.tmp']);
  });
});
