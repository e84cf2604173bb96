/**
 * What the Explain panel writes: the parameters carried by every export (the same keys the CLI's
 * `onirique gradcam` writes, so a file says how to reproduce it), file names, and the bytes of the
 * heat-map PNG, .npy and CSV exports. Pure.
 */
import type { ColormapName } from '../compute/colormap';
import { camMethodParams } from '../compute/cam-method-args';
import type { CamMethod, FitMode, UpsampleMode } from '../compute/explain-options';
import { csvMap, heatToGray16, npyFloat32 } from '../compute/export-formats';
import type { FaithfulnessResult } from '../compute/faithfulness';
import { faithfulnessParams } from '../compute/faithfulness-records';
import { encodeGray16Png } from './png16';

/** The settings a CAM was computed with, as the panel records them. */
export interface CamSettings {
  method: CamMethod;
  /** Layer actually used (never 'auto'). */
  layer: string;
  fit: FitMode;
  tilesAcross: number;
  smooth: boolean;
  /** Score-CAM channels (0 = all). */
  scoreCamChannels: number;
  /** The other method options (defaults when absent). */
  scoreCamUpsample?: UpsampleMode;
  eigenSmooth?: boolean;
  gradCamPlusPlusEps?: number;
}

/** A computed CAM with what is needed to describe and export it. */
export interface CamRecord {
  settings: CamSettings;
  classIndex: number;
  label: string;
  prob: number;
  width: number;
  height: number;
  raw: Float32Array;
  heat: Float32Array;
  model: { id: string; name: string; sha256: string | null };
  /** Name of the photo it was computed on. */
  source: string;
  /** Its faithfulness scores once computed: exported with the map. */
  faithfulness?: FaithfulnessResult | null;
}

/** How the overlay is coloured; null for the guided Grad-CAM picture, which has no colormap. */
export type OverlayLook = { colormap: ColormapName; alpha: number } | null;

/** PNG text parameters of an export: the CLI's keys plus the source photo and model id. */
export function camParams(cam: CamRecord, look: OverlayLook): Record<string, string> {
  const s = cam.settings;
  const p: Record<string, string> = {
    'onirique:operation': 'gradcam',
    'onirique:method': s.method,
    'onirique:class': String(cam.classIndex),
    'onirique:label': cam.label,
    'onirique:layer': s.layer,
    'onirique:fit': s.fit,
    'onirique:smooth': String(s.smooth),
    'onirique:model-sha256': cam.model.sha256 ?? 'unknown',
    'onirique:model': cam.model.id,
    'onirique:source': cam.source,
  };
  if (s.fit === 'tiles') p['onirique:tiles-across'] = String(s.tilesAcross);
  Object.assign(p, camMethodParams(s.method, s));
  if (look) Object.assign(p, { 'onirique:colormap': look.colormap, 'onirique:alpha': String(look.alpha) });
  if (cam.faithfulness) Object.assign(p, faithfulnessParams(cam.faithfulness));
  return p;
}

/** A file-name-safe slug: ASCII letters, digits and dashes (the first synonym of the label). */
export function slug(s: string): string {
  const out = s
    .split(',')[0]!
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return out || 'class';
}

/** The export kinds of the panel. */
export type CamExportKind = 'overlay' | 'png16' | 'npy' | 'csv';

/** Suggested file name, e.g. "coffee-gradcam-espresso.png" or "coffee-gradcam-espresso-cam.npy". */
export function camFileName(cam: CamRecord, kind: CamExportKind): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what host file names refuse
  const base = cam.source.replace(/\.[^.]+$/, '').replace(/[/\\:\0-\x1f\x7f]/g, '_').slice(0, 80) || 'photo';
  const stem = `${base}-${cam.settings.method.replace('++', 'pp')}-${slug(cam.label)}`;
  switch (kind) {
    case 'overlay':
      return `${stem}.png`;
    case 'png16':
      return `${stem}-heat16.png`;
    case 'npy':
      return `${stem}-cam.npy`;
    case 'csv':
      return `${stem}-cam.csv`;
  }
}

/** Bytes of the raw CAM (values before normalisation and colouring) as float32 .npy, shape (height, width). */
export function camNpy(cam: CamRecord): Uint8Array {
  return npyFloat32(cam.raw, [cam.height, cam.width]);
}

/** Bytes of the raw CAM as CSV: one photo row per line. */
export function camCsv(cam: CamRecord): Uint8Array {
  return new TextEncoder().encode(csvMap(cam.raw, cam.width, cam.height));
}

/** The normalised heat map (0..1 → 0..65535) as a 16-bit greyscale PNG carrying the parameters. */
export function camPng16(cam: CamRecord): Promise<Uint8Array> {
  return encodeGray16Png(heatToGray16(cam.heat), cam.width, cam.height, { Software: 'Onirique', ...camParams(cam, null) });
}
