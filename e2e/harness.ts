/**
 * The e2e harness: the same Electron-free main-process services the desktop app uses, wired into
 * the page through Playwright's exposeBinding. Dialogs are the only stand-ins: the test says which
 * path the user "chose".
 */
import type { Page } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostServices } from '../electron/services/host-services';
import { decodeBinary, encodeBinary } from '../renderer/host/binary-json';

/** Repository root and the shared data beside it. */
export const repoRoot = resolve(__dirname, '..');
/** Shared photos (never copied into the repo). */
export const photosDir = resolve(repoRoot, '..', 'shared', 'photos');

/** Controls for one page: the live services and the dialog answers. */
export interface Harness {
  services: HostServices;
  userDataDir: string;
  /** Path the next open dialog returns (null = user cancels). */
  nextOpen: string | null;
  /** Path the next save dialog returns (null = user cancels). */
  nextSave: string | null;
  /** Every host method the page called, for assertions. */
  calls: string[];
}

/** Injects the host binding and loads the app. */
export async function openApp(page: Page, opts: { userDataDir?: string } = {}): Promise<Harness> {
  const userDataDir = opts.userDataDir ?? (await mkdtemp(join(tmpdir(), 'onirique-e2e-')));
  const services = new HostServices(userDataDir);
  await services.init();
  const h: Harness = { services, userDataDir, nextOpen: null, nextSave: null, calls: [] };
  await page.exposeBinding('__oniriqueHost', async (_source, method: string, rawArgs: unknown) => {
    const args = decodeBinary(rawArgs) as unknown[];
    h.calls.push(method);
    const result = await dispatch(h, method, args);
    return encodeBinary(result);
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto('/');
  return h;
}

async function dispatch(h: Harness, method: string, args: unknown[]): Promise<unknown> {
  const s = h.services;
  switch (method) {
    case 'openDialog': {
      const p = h.nextOpen;
      h.nextOpen = null;
      return p === null ? null : s.openPath(p);
    }
    case 'openBytes':
      return s.openBytes(args[0], args[1]);
    case 'openRecent':
      return s.openRecent(args[0]);
    case 'recentList':
      return s.recentList();
    case 'exportImage': {
      const p = h.nextSave;
      h.nextSave = null;
      return p === null ? null : s.exportTo(p, args[0]);
    }
    case 'getSettings':
      return s.getSettings();
    case 'setSettings':
      return s.setSettings(args[0]);
    case 'saveRecovery':
      return s.saveRecovery(args[0], args[1]);
    case 'takeRecovery':
      return s.takeRecovery();
    case 'clearRecovery':
      return s.clearRecovery();
    case 'setDocumentEdited':
    case 'setProgress':
      return null;
    default:
      return dispatchModels(h, method, args);
  }
}

async function dispatchModels(h: Harness, method: string, args: unknown[]): Promise<unknown> {
  const s = h.services as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>;
  const fn = s[method];
  if (typeof fn !== 'function') throw new Error(`harness: host method ${method} is not wired`);
  return fn.apply(h.services, args);
}
