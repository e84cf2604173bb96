/** Apply: runs the panel's filter on the whole document as one cancellable job and one undo step. */
import { transferCopy, type Editor } from '../../app/state/editor.svelte';
import { CancelledError } from '../../compute/compute-client';
import { t } from '../../app/i18n/i18n.svelte';
import '../filter-messages';
import { recordParameters } from '../../app/actions/export-params';
import type { FilterPanelState } from './panel-state.svelte';
import type { FilterPreview } from './preview.svelte';

/** True when Apply can run: a document, no job, and settings that build. */
export function canApplyFilter(editor: Editor, panel: FilterPanelState): boolean {
  return editor.doc !== null && editor.job === null && panel.built.ok;
}

/** Applies the filter the panel describes (the panel's button and the 'apply-filter' action). */
export async function applyFilter(editor: Editor, panel: FilterPanelState, preview: FilterPreview): Promise<void> {
  const built = panel.built;
  const doc = editor.doc;
  if (!doc || !built.ok || editor.job) return;
  const options = $state.snapshot(built.options);
  const params = panel.parameters();
  preview.disarm();
  let base = doc.image;
  const result = await editor.runJob(t('filter.job'), async (signal, onProgress) => {
    base = doc.image;
    const out = await editor.compute.call('filter', { image: transferCopy(base), options }, { signal, onProgress });
    // A result that lands after Cancel was pressed is dropped: the user was told it stops.
    if (signal.aborted) throw new CancelledError('Cancelled');
    return out;
  });
  // The result only belongs on the pixels it was computed from.
  if (result && editor.doc === doc && doc.image === base) {
    editor.commit(t('filter.history', { name: built.label }), result);
    // Exports of this result carry what made it (see export-params.ts).
    recordParameters(result, params);
  }
}
