/** Messages of the window frame: toolbar, status bar, help sheet, banners (action labels: action-messages.ts). */
import { defineMessages } from './i18n.svelte';
import { actionMessages } from './action-messages';

/** The action list's labels and the menu titles. */
export const appActionMessages = defineMessages(actionMessages);

/** App-frame messages. */
export const appMessages = defineMessages({
  'app.undo': { en: 'Undo', fr: 'Défaire' },
  'app.redo': { en: 'Redo', fr: 'Refaire' },
  'app.empty': { en: 'Open a photo (Ctrl+O), or drop one here.', fr: 'Ouvrez une photo (Ctrl+O) ou déposez-la ici.' },
  'app.tab.filter': { en: 'Filter', fr: 'Filtre' },
  'app.tab.dream': { en: 'Dream', fr: 'Rêve' },
  'app.tab.explain': { en: 'Explain', fr: 'Expliquer' },
  'app.exported': { en: 'Exported {name} ({kib} KiB).', fr: '{name} exporté ({kib} Kio).' },
  'app.exportFailed': { en: 'Export failed: {error}', fr: 'Échec de l’export : {error}' },
  'app.loadingFull': { en: 'Loading full resolution…', fr: 'Chargement de la pleine résolution…' },
  'app.fullFailed': {
    en: '“{name}” could not be opened at full resolution: {error} The previous document is unchanged.',
    fr: '« {name} » n’a pas pu être ouvert en pleine résolution : {error} Le document précédent est intact.',
  },
  'app.cancelled': { en: '{label} cancelled; nothing was changed.', fr: '{label} annulé ; rien n’a été modifié.' },
  'app.failed': { en: '{label} failed: {error}', fr: '{label} a échoué : {error}' },
  'app.cancel': { en: 'Cancel', fr: 'Annuler' },
  'app.left': { en: '{time} left', fr: 'encore {time}' },
  'app.help.title': { en: 'Keyboard shortcuts', fr: 'Raccourcis clavier' },
  'app.help.close': { en: 'Close', fr: 'Fermer' },
  'app.help.wheel': { en: 'Zoom at the cursor', fr: 'Zoom sous le curseur' },
  'app.help.pan': { en: 'Pan', fr: 'Déplacer la vue' },
  'app.recovered': {
    en: 'Restored “{name}” from the last session, which ended unexpectedly ({count} operations). Export it to keep it.',
    fr: '« {name} » a été restauré depuis la dernière session, interrompue ({count} opérations). Exportez-le pour le garder.',
  },
  'app.recoverAsk': { en: 'Unsaved work on “{name}” was found from a session that ended unexpectedly.', fr: 'Un travail non enregistré sur « {name} » a été trouvé après une session interrompue.' },
  'app.recoverRestore': { en: 'Restore', fr: 'Restaurer' },
  'app.recoverDiscard': { en: 'Discard', fr: 'Ignorer' },
  'app.backendChoice': { en: 'Compute backend (auto measures)', fr: 'Moteur de calcul (auto : mesuré)' },
  'app.backendRestart': {
    en: 'The compute backend changes at the next start (loaded networks live on the current one).',
    fr: 'Le moteur de calcul change au prochain démarrage (les réseaux chargés vivent sur l’actuel).',
  },
  'app.recent': { en: 'Recent', fr: 'Récents' },
  'app.language': { en: 'Language', fr: 'Langue' },
  'app.save.title': { en: 'Save changes?', fr: 'Enregistrer les modifications ?' },
  'app.save.detail': {
    en: '“{name}” has edits that were not exported. They are lost unless you save them.',
    fr: '« {name} » a des modifications non exportées. Elles seront perdues si vous ne les enregistrez pas.',
  },
  'app.save.save': { en: 'Save…', fr: 'Enregistrer…' },
  'app.save.discard': { en: 'Don’t save', fr: 'Ne pas enregistrer' },
  'app.save.cancel': { en: 'Cancel', fr: 'Annuler' },
  'app.history.title': { en: 'History', fr: 'Historique' },
  'app.history.opened': { en: 'Opened', fr: 'Ouverture' },
  'app.undoStep': { en: 'Undo “{label}”', fr: 'Défaire « {label} »' },
  'app.redoStep': { en: 'Redo “{label}”', fr: 'Refaire « {label} »' },
  'app.compare.before': { en: 'Before', fr: 'Avant' },
  'app.compare.after': { en: 'After', fr: 'Après' },
  'app.compare.with': { en: 'Compare with', fr: 'Comparer avec' },
  'app.compare.original': { en: 'Original', fr: 'Original' },
  'app.compare.previous': { en: 'Previous step', fr: 'Étape précédente' },
  'app.compare.divider': { en: 'Before/after divider', fr: 'Séparation avant/après' },
  'app.engineFailed': { en: 'The compute engine could not start: {error}', fr: 'Le moteur de calcul n’a pas pu démarrer : {error}' },
});
