/** Options of the Explain computations (classify, CAMs, feature maps), with their defaults. */
import type { ColormapName } from './colormap';

/** CAM methods, as in jacobgil/pytorch-grad-cam (its class names: GradCAM, GradCAMPlusPlus, …). */
export type CamMethod =
  | 'gradcam'
  | 'gradcam++'
  | 'guided'
  | 'scorecam'
  | 'hirescam'
  | 'xgradcam'
  | 'layercam'
  | 'eigencam'
  | 'eigengradcam'
  | 'ablationcam';

/** All CAM methods, in menu order (the original four first: saved settings keep their ids). */
export const camMethods: CamMethod[] = ['gradcam', 'gradcam++', 'guided', 'scorecam', 'hirescam', 'xgradcam', 'layercam', 'eigencam', 'eigengradcam', 'ablationcam'];

/** Methods that score one masked or ablated forward pass per channel: progress, Cancel, a channel count. */
export const perChannelMethods: readonly CamMethod[] = ['scorecam', 'ablationcam'];

/** Methods whose map already is a first principal component (eigen smoothing does not apply). */
export const eigenMethods: readonly CamMethod[] = ['eigencam', 'eigengradcam'];

/**
 * How a layer-grid map is upsampled to the input (Score-CAM masks): 'half-pixel' is cv2.resize's
 * INTER_LINEAR, the resampler of every CAM here; 'align-corners' is torch's UpsamplingBilinear2d,
 * pytorch-grad-cam's Score-CAM convention.
 */
export type UpsampleMode = 'half-pixel' | 'align-corners';

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
  /** Score-CAM: masked images per forward batch (progress and cancel between batches); Ablation-CAM uses it ×4. */
  scoreCamBatch: number;
  /** Score-CAM: how the channel masks are upsampled to the input. */
  scoreCamUpsample: UpsampleMode;
  /** Grad-CAM++: added to the alpha denominator (pytorch-grad-cam's 1e-6). */
  gradCamPlusPlusEps: number;
  /** Replace the channel sum by the first principal component of the weighted activations (pytorch-grad-cam's eigen_smooth). */
  eigenSmooth: boolean;
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
  scoreCamUpsample: 'half-pixel',
  gradCamPlusPlusEps: 1e-6,
  eigenSmooth: false,
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
