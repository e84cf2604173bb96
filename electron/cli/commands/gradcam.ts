/** `onirique gradcam`: the Explain panel's CAM on a file; overlay PNG with its parameters in text chunks. */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { colormapNames, overlay, type ColormapName } from '../../../renderer/worker/compute/explain/colormap';
import { explainCam } from '../../../renderer/worker/compute/explain/explain';
import { camMethods, defaultExplainOptions, type CamMethod, type FitMode } from '../../../renderer/worker/compute/explain/explain-options';
import { csvMap, heatToGray16, npyFloat32 } from '../../../renderer/worker/compute/explain/export-formats';
import { writeFileAtomic } from '../../services/atomic-write';
import { addPngText } from '../../services/png-text';
import { readImageFile, writeImageFile } from '../image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../model-files';
import { UsageError } from './filter';

/** The gradcam command's usage (printed by --help and on a usage error). */
export const gradcamUsage =
  'usage: onirique gradcam [--class N|auto] [--layer L] [--method gradcam|gradcam++|guided|scorecam] [--colormap jet] [--alpha 0.5] ' +
  '[--fit resize|center-crop|tiles] [--smooth] [--raw CAM.npy|CAM.csv] [--heatmap HEAT16.png] [--model DIR] IN OUT.png';

/** Runs the gradcam command; returns the exit code. */
export async function gradcamCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      class: { type: 'string', default: 'auto' },
      layer: { type: 'string', default: 'auto' },
      method: { type: 'string', default: 'gradcam' },
      colormap: { type: 'string', default: 'jet' },
      alpha: { type: 'string', default: '0.5' },
      fit: { type: 'string', default: 'resize' },
      smooth: { type: 'boolean', default: false },
      raw: { type: 'string' },
      heatmap: { type: 'string' },
      model: { type: 'string' },
    },
  });
  const [input, output] = positionals;
  if (!input || !output || positionals.length !== 2) throw new UsageError(gradcamUsage);
  const method = values.method as CamMethod;
  if (!camMethods.includes(method)) throw new Error(`--method must be one of ${camMethods.join(', ')}`);
  const colormap = values.colormap as ColormapName;
  if (!colormapNames.includes(colormap)) throw new Error(`--colormap must be one of ${colormapNames.join(', ')}`);
  const alpha = Number(values.alpha);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error('--alpha must be between 0 and 1');
  const fit = values.fit as FitMode;
  if (!['resize', 'center-crop', 'tiles'].includes(fit)) throw new Error('--fit must be resize, center-crop or tiles');
  const classIndex = values.class === 'auto' ? 'auto' : Number(values.class);
  if (classIndex !== 'auto' && !Number.isInteger(classIndex)) throw new Error(`--class must be an integer or auto, not “${values.class}”`);
  const { net, files } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  try {
    const image = await readImageFile(input);
    const r = await explainCam(net, image, { ...defaultExplainOptions, method, classIndex, layer: values.layer, fit, smooth: values.smooth });
    const params: Record<string, string> = {
      'onirique:operation': 'gradcam',
      'onirique:method': method,
      'onirique:class': String(r.classIndex),
      'onirique:label': r.label,
      'onirique:layer': r.layer,
      'onirique:fit': fit,
      'onirique:smooth': String(values.smooth),
      'onirique:model-sha256': files.sha256,
    };
    const picture = method === 'guided' && r.guided ? r.guided : overlay(image, { width: r.width, height: r.height, data: r.heat }, colormap, alpha);
    if (method !== 'guided') Object.assign(params, { 'onirique:colormap': colormap, 'onirique:alpha': String(alpha) });
    await writeImageFile(output, picture, params);
    if (values.raw) {
      const bytes = extname(values.raw).toLowerCase() === '.csv' ? Buffer.from(csvMap(r.raw, r.width, r.height)) : npyFloat32(r.raw, [r.height, r.width]);
      await writeFileAtomic(values.raw, Buffer.from(bytes));
    }
    if (values.heatmap) {
      const gray = heatToGray16(r.heat);
      // A Uint16Array input tells sharp the samples are 16-bit.
      const png16 = await sharp(gray, { raw: { width: r.width, height: r.height, channels: 1 } }).toColourspace('grey16').png().toBuffer();
      await writeFile(values.heatmap, addPngText(png16, params));
    }
    console.log(`${r.method} for ${r.label} (${r.classIndex}), ${(r.prob * 100).toFixed(1)}%, layer ${r.layer} → ${output}`);
  } finally {
    net.dispose();
  }
  return 0;
}
