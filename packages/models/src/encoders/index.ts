export type { EmbeddingInput, EncoderArchitecture } from './architecture';
export { BERT } from './bert';
export {
  type EncoderClassifierInput,
  type EncoderClassifierParts,
  EncoderForSequenceClassification,
} from './classifier';
export { ENCODER_ACTIVATIONS, type EncoderActivation, type EncoderConfig } from './config';
export { type CreateEncoderClassifierOptions, createEncoderClassifier } from './create';
export { DISTILBERT } from './distilbert';
export { type EncoderClassifierOptions, loadEncoderClassifier } from './load';
export { ROBERTA } from './roberta';

import type { EncoderArchitecture } from './architecture';
import { BERT } from './bert';
import { DISTILBERT } from './distilbert';
import { ROBERTA } from './roberta';

/** The encoder classifiers implemented, by `model_type`. */
export const ENCODER_ARCHITECTURES: Readonly<Record<string, EncoderArchitecture>> = {
  bert: BERT,
  distilbert: DISTILBERT,
  roberta: ROBERTA,
};
