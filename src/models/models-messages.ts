/** Messages of the model picker shared by the Explain and Dream panels. */
import { defineMessages } from '../app/i18n/i18n.svelte';

/** Model picker messages. */
export const modelMessages = defineMessages({
  'models.title': { en: 'Model', fr: 'Modèle' },
  'models.none': { en: 'No model installed yet.', fr: 'Aucun modèle installé pour l’instant.' },
  'models.install': { en: 'Download {name} ({mb} MB)', fr: 'Télécharger {name} ({mb} Mo)' },
  'models.installing': { en: 'Downloading {label}…', fr: 'Téléchargement de {label}…' },
  'models.cancel': { en: 'Cancel', fr: 'Annuler' },
  'models.import': { en: 'Import model folder…', fr: 'Importer un dossier de modèle…' },
  'models.imported': { en: 'Imported {name}.', fr: '{name} importé.' },
  'models.importedLabels': { en: 'Imported {name}, with {count} class names from {source}.', fr: '{name} importé, avec {count} noms de classes venus de {source}.' },
  'models.loading': { en: 'Loading the network…', fr: 'Chargement du réseau…' },
  'models.ready': { en: '{layers} layers · input {size}px · {classes} classes', fr: '{layers} couches · entrée {size} px · {classes} classes' },
  'models.labels': { en: 'Class names: {count} from {source}', fr: 'Noms des classes : {count}, de {source}' },
  'models.noLabels': { en: 'No class names: classes are shown by number.', fr: 'Pas de noms de classes : elles sont montrées par leur numéro.' },
  'models.retry': { en: 'Retry', fr: 'Réessayer' },
});
