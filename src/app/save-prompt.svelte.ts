/** The "Save changes?" question asked before unsaved edits would be lost (open, drop, paste, an opened file). */

/** What the user answered: export first, go on without saving, or stay as before. */
export type SaveChoice = 'save' | 'discard' | 'cancel';

/** The pending question: the dialog shows while `open` is true; one question at a time. */
export class SavePrompt {
  #open = $state(false);
  private resolve: ((c: SaveChoice) => void) | null = null;

  /** True while the dialog shows. */
  get open(): boolean {
    return this.#open;
  }

  /** Shows the dialog and resolves with the answer (a second ask meanwhile cancels the first). */
  ask(): Promise<SaveChoice> {
    this.resolve?.('cancel');
    this.#open = true;
    return new Promise((ok) => (this.resolve = ok));
  }

  /** The dialog's buttons (and Esc, as Cancel). */
  answer(choice: SaveChoice): void {
    const r = this.resolve;
    this.resolve = null;
    this.#open = false;
    r?.(choice);
  }
}
