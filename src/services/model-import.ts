/**
 * One preparation for every way a model folder comes in (the import, the check after a download,
 * the CLI's `--model DIR`): validation on disk, the bytes read into memory, labels and
 * preprocessing resolved, then the model built and run once. Nothing is written here.
 */
import { basename } from 'node:path';
import { catalogModelBySha } from './model-catalog';
import { checkLabelCount, checkModelRuns, type ModelCheck } from './model-check';
import { loadModelFolder, type LoadedModelFolder } from './model-artifacts';
import { ModelError, type PixelRange, sha256Bytes } from './model-files';
import { catalogLabelsFor, parseLabels, readFolderExtras, readLabelsFile } from './model-labels';

/** Input size assumed for models whose input accepts any size and whose folder says nothing. */
export const FALLBACK_INPUT_SIZE = 224;

/** Preprocessing and labels supplied with an import; unset fields come from the folder, the catalog or defaults. */
export interface ImportSettings {
  name?: string;
  /** A labels file anywhere (JSON list, {labels}, or one name per line). */
  labelsFile?: string;
  labels?: string[];
  inputSize?: number;
  range?: PixelRange;
}

/** A folder ready to enter the cache or to be used: everything checked, nothing written. */
export interface PreparedModel {
  folder: LoadedModelFolder;
  /** SHA-256 (hex) of model.json. */
  sha256: string;
  labels: string[] | null;
  /** Where the names came from: a file of the folder, `--labels <file>`, or `catalog (<name>)`. */
  labelsSource: string | null;
  inputSize: number;
  range: PixelRange;
  /** Where the range came from (`settings`, a folder file, the catalog, or `default`). */
  rangeSource: string;
  check: ModelCheck;
}

/** The square input size to feed: the model's fixed size, else the setting, else the fallback. */
export function chooseInputSize(h: number | null, w: number | null, requested: number | null | undefined): number {
  if (requested !== undefined && requested !== null && (!Number.isInteger(requested) || requested < 8 || requested > 4096)) {
    throw new ModelError(`input size ${requested} is not a whole number of pixels between 8 and 4096.`);
  }
  if (h !== null && w !== null) {
    if (h !== w) throw new ModelError(`the model expects ${w}x${h} images; Onirique supports square inputs only.`);
    if (requested && requested !== h) throw new ModelError(`the model expects ${h}x${h} images, not ${requested}x${requested} as the settings say.`);
    return h;
  }
  return requested ?? h ?? w ?? FALLBACK_INPUT_SIZE;
}

/** Labels by precedence: given in the settings, a `--labels` file, the folder's own, the catalog's for its SHA. */
async function resolveLabels(dir: string, sha256: string, settings: ImportSettings) {
  const extras = await readFolderExtras(dir);
  const catalog = catalogLabelsFor(sha256);
  let labels: string[] | null = extras.labels;
  let labelsSource: string | null = extras.labelsSource;
  if (settings.labels) [labels, labelsSource] = [parseLabels(settings.labels, 'the labels'), 'settings'];
  else if (settings.labelsFile) [labels, labelsSource] = [await readLabelsFile(settings.labelsFile), `--labels ${basename(settings.labelsFile)}`];
  else if (!labels && catalog) [labels, labelsSource] = [catalog.labels, catalog.source];
  return { extras, catalog, labels, labelsSource };
}

/** Validates, reads and runs a model folder; throws one ModelError naming the file and the reason. */
export async function prepareModel(dir: string, settings: ImportSettings = {}): Promise<PreparedModel> {
  const folder = await loadModelFolder(dir);
  const sha256 = sha256Bytes(folder.model.modelJsonBytes);
  const { extras, catalog, labels, labelsSource } = await resolveLabels(folder.model.dir, sha256, settings);
  const catalogModel = catalogModelBySha(sha256);
  const inputSize = chooseInputSize(folder.model.inputHeight, folder.model.inputWidth, settings.inputSize ?? extras.imageSize ?? catalogModel?.inputSize);
  const [range, rangeSource]: [PixelRange, string] = settings.range
    ? [settings.range, 'settings']
    : extras.range
      ? [extras.range, extras.rangeSource ?? 'folder']
      : catalog
        ? [catalog.range, catalog.source]
        : ['-1..1', 'default'];
  const check = await checkModelRuns(folder, inputSize);
  checkLabelCount(labels, labelsSource, check.numClasses);
  return { folder, sha256, labels, labelsSource, inputSize, range, rangeSource, check };
}
