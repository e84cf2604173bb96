/** "Open with" command lines: first launch, development launch, second instance, Linux %U URLs. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSOCIATED_EXTENSIONS, existingFiles, hasImageExtension, imagePathsFromArgv } from '../../src/services/file-associations';
import { tempDir } from './files-fixtures';

describe('imagePathsFromArgv', () => {
  const cwd = '/home/ann/Pictures';

  it('packaged launch: skips the executable, keeps image paths in order', () => {
    expect(imagePathsFromArgv(['/opt/Onirique/onirique', '/tmp/a.JPG', 'b.png'], cwd)).toEqual(['/tmp/a.JPG', resolve(cwd, 'b.png')]);
  });

  it('development launch: skips electron and the app folder', () => {
    expect(imagePathsFromArgv(['/repo/node_modules/electron/dist/electron', '.', 'cat.webp'], cwd)).toEqual([resolve(cwd, 'cat.webp')]);
    expect(imagePathsFromArgv(['electron', 'dist/electron/main.cjs'], cwd)).toEqual([]);
  });

  it('second instance: ignores Chromium switches and macOS -psn, resolves against its working directory', () => {
    const argv = ['/opt/Onirique/onirique', '--allow-file-access-from-files', '--original-process-start-time=1337', '-psn_0_12345', 'holiday/sea.heic', '--flag=x.png'];
    expect(imagePathsFromArgv(argv, '/home/bob')).toEqual(['/home/bob/holiday/sea.heic']);
  });

  it('file:// URLs (Linux desktop %U) become paths; other URLs are ignored', () => {
    const url = pathToFileURL('/home/ann/Été 2024/plage.tif').href;
    expect(url).toContain('%C3%89t%C3%A9%202024');
    expect(imagePathsFromArgv(['x', url, 'https://example.com/a.png', 'smb://server/share/b.png'], cwd)).toEqual(['/home/ann/Été 2024/plage.tif']);
  });

  it('after -- every argument is a path, even one starting with a dash; duplicates are dropped', () => {
    expect(imagePathsFromArgv(['x', 'a.png', '--', '-weird.png', 'a.png', '/p/a.png'], '/p')).toEqual(['/p/a.png', '/p/-weird.png']);
  });

  it('non-image arguments are skipped', () => {
    expect(imagePathsFromArgv(['x', 'notes.txt', 'archive.png.zip', 'photo', 'doc.pdf', ''], cwd)).toEqual([]);
  });

  it('associates the image types of the issue', () => {
    for (const ext of ['jpg', 'jpeg', 'png', 'webp', 'avif', 'tif', 'tiff', 'gif', 'heic']) expect(ASSOCIATED_EXTENSIONS).toContain(ext);
    expect(hasImageExtension('/a/B.TIFF')).toBe(true);
    expect(hasImageExtension('/a/b.bmp')).toBe(false);
  });
});

describe('existingFiles', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('onirique-argv-'));
    await writeFile(join(dir, 'here.png'), 'x');
    await mkdir(join(dir, 'folder.png'));
  });
  afterAll(() => cleanup());

  it('keeps only regular files that exist', async () => {
    const paths = imagePathsFromArgv(['exe', 'here.png', 'gone.png', 'folder.png'], dir);
    expect(await existingFiles(paths)).toEqual([join(dir, 'here.png')]);
  });
});
