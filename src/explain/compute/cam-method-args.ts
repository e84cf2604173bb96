/**
 * The CAM method options as command-line flags and as exported parameters (PNG text), shared by
 * `onirique gradcam` and the panel's exports so a file always says how to reproduce it. Pure.
 */
import { defaultExplainOptions, eigenMethods, type CamMethod, type ExplainOptions, type UpsampleMode } from './explain-options';

/** The method options a CLI flag or an export records. */
export type CamMethodOptions = Pick<ExplainOptions, 'scoreCamChannels' | 'scoreCamUpsample' | 'gradCamPlusPlusEps' | 'eigenSmooth'>;

/** parseArgs option specs of the method flags. */
export const camMethodArgSpecs = {
  'score-channels': { type: 'string', default: String(defaultExplainOptions.scoreCamChannels) },
  'score-upsample': { type: 'string', default: defaultExplainOptions.scoreCamUpsample },
  eps: { type: 'string', default: String(defaultExplainOptions.gradCamPlusPlusEps) },
  'eigen-smooth': { type: 'boolean', default: false },
} as const;

/** Usage text of the method flags. */
export const camMethodArgsUsage = '[--score-channels N|all] [--score-upsample half-pixel|align-corners] [--eps 1e-6] [--eigen-smooth]';

/** Parsed values of `camMethodArgSpecs` (the shape node:util parseArgs gives). */
export interface CamMethodArgValues {
  'score-channels'?: string;
  'score-upsample'?: string;
  eps?: string;
  'eigen-smooth'?: boolean;
}

/** Validates the method flags; throws with the flag's name on a bad value. */
export function parseCamMethodArgs(v: CamMethodArgValues): CamMethodOptions {
  const d = defaultExplainOptions;
  const sc = v['score-channels'] ?? String(d.scoreCamChannels);
  const scoreCamChannels = sc === 'all' ? 0 : Number(sc);
  if (sc !== 'all' && !(Number.isInteger(scoreCamChannels) && scoreCamChannels >= 1)) throw new Error(`--score-channels must be a positive integer or all, not “${sc}”`);
  const up = (v['score-upsample'] ?? d.scoreCamUpsample) as UpsampleMode;
  if (up !== 'half-pixel' && up !== 'align-corners') throw new Error('--score-upsample must be half-pixel or align-corners');
  const gradCamPlusPlusEps = Number(v.eps ?? d.gradCamPlusPlusEps);
  if (!(gradCamPlusPlusEps >= 0 && Number.isFinite(gradCamPlusPlusEps))) throw new Error(`--eps must be a number ≥ 0, not “${v.eps}”`);
  return { scoreCamChannels, scoreCamUpsample: up, gradCamPlusPlusEps, eigenSmooth: v['eigen-smooth'] ?? false };
}

/** The PNG-text parameters of the options that shaped this method's map (only those). */
export function camMethodParams(method: CamMethod, o: Partial<CamMethodOptions>): Record<string, string> {
  const def = defaultExplainOptions;
  // `??` rather than a spread: an absent option may be present as undefined.
  const d = {
    scoreCamChannels: o.scoreCamChannels ?? def.scoreCamChannels,
    scoreCamUpsample: o.scoreCamUpsample ?? def.scoreCamUpsample,
    gradCamPlusPlusEps: o.gradCamPlusPlusEps ?? def.gradCamPlusPlusEps,
    eigenSmooth: o.eigenSmooth ?? def.eigenSmooth,
  };
  const p: Record<string, string> = {};
  if (method === 'scorecam') {
    p['onirique:scorecam-channels'] = d.scoreCamChannels > 0 ? String(d.scoreCamChannels) : 'all';
    p['onirique:scorecam-upsample'] = d.scoreCamUpsample;
  }
  if (method === 'gradcam++') p['onirique:gradcampp-eps'] = String(d.gradCamPlusPlusEps);
  if (method !== 'guided' && !eigenMethods.includes(method)) p['onirique:eigen-smooth'] = String(d.eigenSmooth);
  return p;
}
