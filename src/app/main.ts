/** Renderer entry: picks the host (Electron bridge, e2e binding or browser), starts the worker, mounts the app. */
import { mount } from 'svelte';
import type { HostApi } from '../host/host-contract';
// First, so the panels' own (scoped, equally specific) rules come after it and win.
import './theme.css';
import App from './App.svelte';
import { startComputeWorker } from '../compute/compute-client';
import { createBindingHost, type HostBinding } from '../host/binding-host';
import { createWebHost } from '../host/web-host';
import { Editor } from './state/editor.svelte';
import { i18n, systemLocale, t } from './i18n/i18n.svelte';
import './i18n/app-messages';

declare global {
  interface Window {
    /** Set by the Electron preload bridge. */
    onirique?: HostApi;
    /** Set by the e2e harness through Playwright's exposeBinding. */
    __oniriqueHost?: HostBinding;
    /** The live editor, for the e2e tests to inspect. */
    __onirique?: Editor;
  }
}

function pickHost(): HostApi {
  if (window.onirique) return window.onirique;
  if (window.__oniriqueHost) return createBindingHost(window.__oniriqueHost);
  return createWebHost();
}

const host = pickHost();
const compute = startComputeWorker();
const editor = new Editor(host, compute);
window.__onirique = editor;

const settings = await host.getSettings();
i18n.locale = settings.locale === 'auto' ? systemLocale() : settings.locale;
compute
  .call('init', { backend: settings.backend, wasmPath: new URL('./tfjs-wasm/', document.baseURI).href })
  .then((info) => editor.setBackend(info))
  .catch((e: unknown) => editor.fail(t('app.engineFailed', { error: e instanceof Error ? e.message : String(e) })));

mount(App, { target: document.getElementById('app')!, props: { editor } });
