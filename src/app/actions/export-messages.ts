/** Messages of the Export dialog and the "Restore these settings" offer. */
import { defineMessages } from '../i18n/i18n.svelte';

/** Export dialog and restore messages. */
export const exportMessages = defineMessages({
  'export.title': { en: 'Export', fr: 'Exporter' },
  'export.format': { en: 'Format', fr: 'Format' },
  'export.quality': { en: 'Quality', fr: 'Qualité' },
  'export.name': { en: 'File name', fr: 'Nom du fichier' },
  'export.note': { en: 'The file carries its parameters (operation, kernel and options, dream and CAM settings, model SHA-256).', fr: 'Le fichier porte ses paramètres (opération, noyau et options, réglages de rêve et de CAM, SHA-256 du modèle).' },
  'export.ok': { en: 'Export', fr: 'Exporter' },
  'export.cancel': { en: 'Cancel', fr: 'Annuler' },
  'app.restoreOffer': { en: 'This image was exported by Onirique with its settings.', fr: 'Cette image a été exportée par Onirique avec ses réglages.' },
  'app.restore': { en: 'Restore these settings', fr: 'Restaurer ces réglages' },
  'app.restored': { en: 'Settings restored into the panel that made the image.', fr: 'Réglages restaurés dans le panneau qui a produit l’image.' },
  'app.restoreNone': { en: 'These settings belong to no panel of this version.', fr: 'Ces réglages ne correspondent à aucun panneau de cette version.' },
});
