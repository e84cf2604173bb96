/** Options of the Explain computations (classify, CAMs, feature maps), with their defaults. */
import type { ColormapName } from './colormap';

/** CAM methods, as in jacobgil/pytorch-grad-cam. */
export type CamMethod = 'gradcam' | 'gradcam++' | 'guided' | 'scorecam';

/** All CAM methods, in menu order. */
export const camMethods: CamMethod[] = ['gradcam', 'gradcam++', 'guided', 'scorecam'];

/**
 * How the photo meets the network: 'resize' squeezes the whole photo to the input square,
 * 'center-crop' takes the central square, 'tiles' covers a large photo with overlapping squares.
 */
export type FitMode = 'resize' | 'center-crop' | 'tiles';

/** Options of `explainCam`, `classifyImage` and `featureMapGrid`. */
export interface ExplainOptions {
  method: CamMethod;
  /** Target class id, or 'auto' for the top-1 class of the whole photo. */
  classIndex: number | 'auto';
  /** Target layer, or 'auto' for the network's last conv layer. */
  layer: string;
  fit: FitMode;
  /** 'tiles': how many tiles span the short side (tiles overlap by half). */
  tilesAcross: number;
  /** Average CAMs over horizontal flips and the `smoothScales` input scales. */
  smooth: boolean;
  /** Input scales used when smoothing (only on networks that accept any input size). */
  smoothScales: number[];
  /** Score-CAM: channels scored (the most active ones); 0 means all. */
  scoreCamChannels: number;
  /** Score-CAM: masked images per forward batch (progress and cancel between batches). */
  scoreCamBatch: number;
  /** Classes listed by `classifyImage`. */
  topK: number;
}

/** Defaults: Grad-CAM on the last conv layer of the whole photo, top class. */
export const defaultExplainOptions: ExplainOptions = {
  method: 'gradcam',
  classIndex: 'auto',
  layer: 'auto',
  fit: 'resize',
  tilesAcross: 2,
  smooth: false,
  smoothScales: [1, 1.25],
  scoreCamChannels: 128,
  scoreCamBatch: 16,
  topK: 5,
};

/** How an exported overlay is coloured. */
export interface OverlayOptions {
  colormap: ColormapName;
  /** Opacity of the heat colours over the photo, 0..1. */
  alpha: number;
}

/** Defaults: jet at half opacity, like pytorch-grad-cam's show_cam_on_image. */
export const defaultOverlayOptions: OverlayOptions = { colormap: 'jet', alpha: 0.5 };
