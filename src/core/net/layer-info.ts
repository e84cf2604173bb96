/** The description of one addressable layer, shared by the plain-op rebuild and everything that lists layers. */
/** One addressable activation of the rebuilt network. */
export interface LayerInfo {
  /** Keras layer name (a folded BatchNormalization keeps its own name; the conv before it is not addressable). */
  name: string;
  /** Keras class name of the layer that produced it, e.g. 'Conv2D', 'Activation'. */
  kind: string;
  /** Output shape without the batch axis, for an input of `inputSize`×`inputSize`. */
  shape: number[];
}
