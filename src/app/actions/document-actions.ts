/** Opening and exporting the document through the host: what the open/export actions, drop and paste do. */
import type { AppShell } from '../shell.svelte';
import type { ExportFormat, HostResult, OpenedDocument } from '../../host/host-contract';
import { dreamMetadata } from '../../dream/ui/dream-doc.svelte';
import { t } from '../i18n/i18n.svelte';
import '../i18n/app-messages';
import './export-messages';
import { EXPORT_EXTENSIONS, exportDialog } from './export-dialog.svelte';
import { parametersOf } from './export-params';

/**
 * Before unsaved edits would be replaced: asks Save / Don't save / Cancel. True to go on (saved, or
 * discarded); false to keep the document (Cancel, or a Save whose export was cancelled or failed).
 */
async function confirmReplace(shell: AppShell): Promise<boolean> {
  if (!shell.editor.dirty) return true;
  const choice = await shell.savePrompt.ask();
  if (choice === 'cancel') return false;
  return choice === 'discard' || (await exportDocument(shell));
}

function show(shell: AppShell, r: HostResult<OpenedDocument> | null): boolean {
  if (!shell.editor.adopt(r)) return false;
  shell.view.zoomFit();
  const doc = r?.ok ? r.value : null;
  // An Onirique export's parameters are offered for "Restore these settings".
  exportDialog.restorable = doc?.parameters ? { docId: doc.docId, params: doc.parameters } : null;
  return true;
}

/** Shows a document the host opened (the OS, a second instance, the menu), asking first over unsaved edits. */
export async function adoptOpened(shell: AppShell, r: HostResult<OpenedDocument> | null): Promise<boolean> {
  return r !== null && (await confirmReplace(shell)) && show(shell, r);
}

/** Asks the host for a photo (its open dialog) and shows it whole. */
export async function openWithDialog(shell: AppShell): Promise<void> {
  if (shell.editor.job || !(await confirmReplace(shell))) return;
  show(shell, await shell.editor.host.openDialog());
}

/** Opens an entry of the recent-files list. */
export async function openRecent(shell: AppShell, id: string): Promise<void> {
  if (!id || shell.editor.job || !(await confirmReplace(shell))) return;
  show(shell, await shell.editor.host.openRecent(id));
}

/** Opens a dropped or pasted file. */
export async function openFile(shell: AppShell, file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!(await confirmReplace(shell))) return;
  show(shell, await shell.editor.host.openBytes(file.name, bytes));
}

/** The close prompt's Save: exports, then closes the window once the export is written. */
export async function saveAndClose(shell: AppShell): Promise<void> {
  if (await exportDocument(shell)) window.close();
}

/** Loads the parameters of the opened export into the panel that made it, and shows that panel. */
export function restoreSettings(shell: AppShell): void {
  const r = exportDialog.restorable;
  if (!r) return;
  const p = r.params;
  const { filter, dream, explain } = shell.panels;
  const op = p['onirique:operation'];
  if (op === 'filter' && filter.restore(p)) shell.showPanel('filter');
  else if (op === 'gradcam' && explain.restore(p)) shell.showPanel('explain');
  else if (p['onirique:dream'] && dream.restore(p)) shell.showPanel('dream');
  else return void shell.editor.fail(t('app.restoreNone'));
  exportDialog.restorable = null;
  shell.editor.notify(t('app.restored'));
}

/** The toolbar's Export: writes the document with the saved format and quality (the Export dialog changes them). */
export async function exportPng(shell: AppShell): Promise<void> {
  await exportDocument(shell);
}

/** Opens the Export dialog (format, quality, file name), starting from the saved settings. */
export async function openExportDialog(shell: AppShell): Promise<void> {
  const { editor } = shell;
  const doc = editor.doc;
  if (!doc || editor.job) return;
  const settings = await editor.host.getSettings();
  exportDialog.format = settings.exportFormat;
  exportDialog.quality = settings.exportQuality;
  exportDialog.name = `${doc.name.replace(/\.[^.]+$/, '')}-onirique.${EXPORT_EXTENSIONS[settings.exportFormat]}`;
  exportDialog.open = true;
}

/** The dialog's Export: remembers its format and quality, then exports as it says. */
export async function exportWithDialog(shell: AppShell): Promise<void> {
  const { format, quality, name } = exportDialog;
  exportDialog.open = false;
  await shell.editor.host.setSettings({ exportFormat: format, exportQuality: quality });
  await exportDocument(shell, { format, quality, name });
}

/**
 * Exports the document with its history and what made it (export-params.ts) in the metadata; a full
 * export marks it saved. True once written; false when cancelled or failed.
 */
async function exportDocument(shell: AppShell, choice?: { format: ExportFormat; quality: number; name: string }): Promise<boolean> {
  const { editor } = shell;
  const doc = editor.doc;
  if (!doc || editor.job) return false;
  const saved = await editor.host.getSettings();
  const settings = choice ?? { format: saved.exportFormat, quality: saved.exportQuality, name: '' };
  const name = settings.name || `${doc.name.replace(/\.[^.]+$/, '')}-onirique.${EXPORT_EXTENSIONS[settings.format]}`;
  const res = await editor.host.exportImage({
    image: { ...doc.image, data: doc.image.data.slice() },
    format: settings.format,
    quality: settings.quality,
    suggestedName: name,
    metadata: { 'onirique:source': doc.name, 'onirique:history': editor.history.labels.join(' > '), ...dreamMetadata(editor), ...parametersOf(doc.image) },
    sourceDocId: doc.docId,
  });
  if (!res) return false;
  if (!res.ok) {
    editor.fail(t('app.exportFailed', { error: res.error }));
    return false;
  }
  editor.notify(t('app.exported', { name: res.value.name, kib: Math.round(res.value.bytes / 1024) }));
  editor.markSaved();
  return true;
}
