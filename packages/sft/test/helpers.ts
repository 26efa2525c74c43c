import type { Gpt2LMHeadModel } from '@trl/models';
import { tinyGpt2 } from '@trl/test-kit';

export {
  abortingTracker,
  collectingTracker,
  tensorCountsOfTwoRounds,
  tinyTokenizer,
  useTestBackend,
} from '@trl/test-kit';

/** A 1-layer, width-32 GPT-2 over the byte-level vocabulary (256 bytes + eos 256 + pad 257). */
export function tinyModel(seed = 0, dropout = 0): Gpt2LMHeadModel {
  return tinyGpt2(seed, { dropout });
}
