/** The Filter feature's worker op: its input, result and handler. */
import type { RgbaImage } from '../../core/image';
import type { OpHandlers, OpSpec } from '../../core/job';
import { applyFilter, filterAbsMax } from './convolve';
import type { FilterOptions } from './filter-options';

/** Input of the filter op. */
export interface FilterInput {
  image: RgbaImage;
  options: Partial<FilterOptions>;
}

/** The ops the Filter feature serves. */
export interface FilterOps {
  filter: OpSpec<FilterInput, RgbaImage>;
  /** The whole image's largest |response|, which a preview of a crop scales 'abs-max' by. */
  'filter-abs-max': OpSpec<FilterInput, number>;
}

/** Their handlers. */
export const filterHandlers: OpHandlers<FilterOps> = {
  filter: (input, ctx) => applyFilter(input.image, input.options, ctx),
  'filter-abs-max': (input, ctx) => filterAbsMax(input.image, input.options, ctx),
};
