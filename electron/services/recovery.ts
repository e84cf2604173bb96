/** Crash recovery: the document after its latest operation, so a crash loses at most that operation. */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RecoveryInfo, RgbaImage } from '../ipc-contract';
import { writeFileAtomic } from './atomic-write';
import { readJson, writeJson } from './json-store';

/** Stores one recovery snapshot (PNG + JSON) in `<userData>/recovery/`. */
export class RecoveryStore {
  private dir: string;
  private pending: Promise<void> = Promise.resolve();

  constructor(userDataDir: string) {
    this.dir = join(userDataDir, 'recovery');
  }

  /** Saves a snapshot; calls are serialised so an older snapshot never lands after a newer one. */
  save(image: RgbaImage, info: Omit<RecoveryInfo, 'savedAt'>): Promise<void> {
    const job = async () => {
      await mkdir(this.dir, { recursive: true });
      const raw = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
      // Fast PNG (level 1): snapshots are written after every operation, often for large photos.
      const png = await sharp(raw, { raw: { width: image.width, height: image.height, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
      await writeFileAtomic(join(this.dir, 'document.png'), png);
      await writeJson(join(this.dir, 'document.json'), { ...info, savedAt: new Date().toISOString() } satisfies RecoveryInfo);
    };
    this.pending = this.pending.then(job, job);
    return this.pending;
  }

  /** The snapshot left by a session that did not end cleanly, or null. */
  async peek(): Promise<RecoveryInfo | null> {
    const info = await readJson<RecoveryInfo | null>(join(this.dir, 'document.json'), null);
    return info && typeof info.name === 'string' && typeof info.savedAt === 'string' ? info : null;
  }

  /** Decodes the snapshot's pixels; null when there is none or it is unreadable. */
  async load(): Promise<RgbaImage | null> {
    try {
      const { data, info } = await sharp(await readFile(join(this.dir, 'document.png'))).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
    } catch {
      return null;
    }
  }

  /** Removes the snapshot (clean close, export, or the user declined to restore). */
  async clear(): Promise<void> {
    await this.pending.catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
