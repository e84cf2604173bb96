/** State of the Export dialog (format, quality, file name) and of the "Restore these settings" offer. */
import type { ExportFormat } from '../../host/host-contract';

/** The formats the dialog offers, in menu order. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['png', 'jpeg', 'webp', 'avif', 'tiff'];

/** File extension of each format. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', avif: 'avif', tiff: 'tif' };

/** What the dialog edits; `open` shows it. */
export class ExportDialogState {
  open = $state(false);
  format: ExportFormat = $state('png');
  quality = $state(90);
  name = $state('');
  /** Parameters the opened document carried, and whose document they are (null: nothing to restore). */
  restorable: { docId: string; params: Record<string, string> } | null = $state.raw(null);

  /** Sets the format and gives the file name that format's extension. */
  setFormat(f: ExportFormat): void {
    this.format = f;
    this.name = `${this.name.replace(/\.[^.]+$/, '')}.${EXPORT_EXTENSIONS[f]}`;
  }
}

/** The window's one dialog state. */
export const exportDialog = new ExportDialogState();
