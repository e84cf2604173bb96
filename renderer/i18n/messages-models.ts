/** Messages of the model picker shared by the Explain and Dream panels. */
import { defineMessages } from './i18n.svelte';

/** Model picker messages. */
export const modelMessages = defineMessages({
  'models.title': { en: 'Model', fr: 'Modèle' },
  'models.none': { en: 'No model installed yet.', fr: 'Aucun modèle installé pour l’instant.' },
  'models.install': { en: 'Download {name} ({mb} MB)', fr: 'Télécharger {name} ({mb} Mo)' },
  'models.installing': { en: 'Downloading {label}…', fr: 'Téléchargement de {label}…' },
  'models.cancel': { en: 'Cancel', fr: 'Annuler' },
  'models.import': { en: 'Import model folder…', fr: 'Importer un dossier de modèle…' },
  'models.imported': { en: 'Imported {name}.', fr: '{name} importé.' },
  'models.loading': { en: 'Loading the network…', fr: 'Chargement du réseau…' },
  'models.ready': { en: '{layers} layers · input {size}px · {classes} classes', fr: '{layers} couches · entrée {size} px · {classes} classes' },
  'models.retry': { en: 'Retry', fr: 'Réessayer' },
});
