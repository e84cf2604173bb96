/**
 * Labels of the actions and the menu titles, as plain data: the renderer registers them with
 * defineMessages (app-messages.ts) and the main process reads them for the native menu.
 */

/** Action and menu labels in both languages (same shape as i18n's Message). */
export const actionMessages: { readonly [key: string]: { readonly en: string; readonly fr: string } } = {
  'action.open': { en: 'Open…', fr: 'Ouvrir…' },
  'action.export': { en: 'Export…', fr: 'Exporter…' },
  'action.undo': { en: 'Undo', fr: 'Défaire' },
  'action.redo': { en: 'Redo', fr: 'Refaire' },
  'action.zoomIn': { en: 'Zoom In', fr: 'Zoom avant' },
  'action.zoomOut': { en: 'Zoom Out', fr: 'Zoom arrière' },
  'action.zoomFit': { en: 'Fit', fr: 'Ajuster' },
  'action.zoom100': { en: '100%', fr: '100%' },
  'action.compare': { en: 'Before/after', fr: 'Avant/après' },
  'action.panelFilter': { en: 'Filter Panel', fr: 'Panneau Filtre' },
  'action.panelDream': { en: 'Dream Panel', fr: 'Panneau Rêve' },
  'action.panelExplain': { en: 'Explain Panel', fr: 'Panneau Expliquer' },
  'action.panelTeach': { en: 'Teach Panel', fr: 'Panneau Apprendre' },
  'action.applyFilter': { en: 'Apply Filter', fr: 'Appliquer le filtre' },
  'action.dreamWhole': { en: 'Dream the Whole Photo', fr: 'Rêver toute la photo' },
  'action.brushSmaller': { en: 'Smaller Brush', fr: 'Pinceau plus petit' },
  'action.brushLarger': { en: 'Larger Brush', fr: 'Pinceau plus grand' },
  'action.dreamMaskTint': { en: 'Show the Dream Mask', fr: 'Afficher le masque du rêve' },
  'action.runCam': { en: 'Compute the CAM', fr: 'Calculer la CAM' },
  'action.train': { en: 'Train the Classes', fr: 'Entraîner les classes' },
  'action.cancelJob': { en: 'Cancel the Running Job', fr: 'Annuler le calcul en cours' },
  'action.languageEn': { en: 'English', fr: 'English' },
  'action.languageFr': { en: 'Français', fr: 'Français' },
  'action.help': { en: 'Keyboard Shortcuts', fr: 'Raccourcis clavier' },
  'action.saveAndClose': { en: 'Save and Close', fr: 'Enregistrer et fermer' },
  'menu.file': { en: '&File', fr: '&Fichier' },
  'menu.edit': { en: '&Edit', fr: '&Édition' },
  'menu.view': { en: '&View', fr: '&Affichage' },
  'menu.image': { en: '&Image', fr: '&Image' },
  'menu.help': { en: '&Help', fr: '&Aide' },
};
