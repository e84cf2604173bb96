/** Panel state that outlives the panel: one instance per editor, made on first use. */
import type { Editor } from './editor.svelte';

/**
 * Memoises `make` per editor. Panels unmount when their tab closes; what the user set in them
 * (a kernel, slider values, the live-preview switch) lives here so coming back finds it as it was.
 */
export function perEditor<T>(make: (editor: Editor) => T): (editor: Editor) => T {
  const made = new WeakMap<Editor, T>();
  return (editor) => {
    let v = made.get(editor);
    if (v === undefined) {
      v = make(editor);
      made.set(editor, v);
    }
    return v;
  };
}
