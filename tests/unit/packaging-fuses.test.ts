/** Fuses: the afterPack hook flips exactly the policy in electron/security.ts, in a binary that carries a fuse wire. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseConfig } from '../../src/electron/security';
import { tempDir } from './files-fixtures';
import { loadAfterPack } from './packaging-fixtures';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const afterPack = loadAfterPack();
let dir: string;
let cleanup: () => Promise<void>;

/** A file laid out like an Electron binary around its fuse wire: sentinel, version 1, length, states. */
function fakeBinary(wire: string): Buffer {
  return Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.alloc(512, 0x90)]);
}

beforeAll(async () => ({ dir, cleanup } = await tempDir('onirique-fuses-')));
afterAll(() => cleanup());

describe('fuses', () => {
  it('the hook and the security policy agree, with the issue’s required settings', () => {
    expect(afterPack.FUSES).toEqual(fuseConfig);
    expect(fuseConfig).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      EnableCookieEncryption: true,
    });
  });

  it('names only fuses @electron/fuses knows', async () => {
    const { FuseV1Options } = await import('@electron/fuses');
    for (const name of Object.keys(fuseConfig)) expect(FuseV1Options, name).toHaveProperty(name);
  });

  it.each(['linux', 'win32'])('afterPack flips the wire of the packaged %s binary', async (platform) => {
    const { FuseV1Options, getCurrentFuseWire } = await import('@electron/fuses');
    const appOutDir = join(dir, platform);
    await mkdir(appOutDir, { recursive: true });
    const exe = join(appOutDir, platform === 'win32' ? 'Onirique.exe' : 'onirique');
    // A stock wire: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on, integrity off, asar-only off, ...
    await writeFile(exe, fakeBinary('101100011'));
    const before = await readFile(exe);
    const context = { electronPlatformName: platform, appOutDir, arch: 1, packager: { appInfo: { productFilename: 'Onirique' }, executableName: 'onirique' } };
    expect(afterPack.electronBinaryPath(context)).toBe(exe);
    await afterPack(context);
    const wire = (await getCurrentFuseWire(exe)) as unknown as Record<number, number>;
    for (const [name, value] of Object.entries(fuseConfig)) {
      expect(wire[FuseV1Options[name as keyof typeof FuseV1Options]], name).toBe(value ? 0x31 : 0x30);
    }
    // WasmTrapHandlers is not in the policy: left as it was.
    expect(wire[FuseV1Options.WasmTrapHandlers]).toBe(0x31);
    const after = await readFile(exe);
    expect(after.length).toBe(before.length);
    // Only the wire bytes changed.
    const changed = [...after].map((b, i) => (b !== before[i] ? i : -1)).filter((i) => i >= 0);
    const wireStart = 4096 + SENTINEL.length + 2;
    expect(changed.every((i) => i >= wireStart && i < wireStart + 9)).toBe(true);
  });

  it('targets the .app bundle on macOS and fails loudly on a binary without fuses', async () => {
    const context = { electronPlatformName: 'darwin', appOutDir: '/out/mac', arch: 1, packager: { appInfo: { productFilename: 'Onirique' }, executableName: 'onirique' } };
    expect(afterPack.electronBinaryPath(context)).toBe('/out/mac/Onirique.app');
    const appOutDir = join(dir, 'nofuse');
    await mkdir(appOutDir, { recursive: true });
    await writeFile(join(appOutDir, 'onirique'), 'no fuse wire here');
    await expect(afterPack({ ...context, electronPlatformName: 'linux', appOutDir })).rejects.toThrow(/sentinel/);
  });
});
