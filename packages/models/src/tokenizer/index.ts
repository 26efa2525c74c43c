export type { FromPretrainedTokenizerOptions } from './auto-tokenizer';
export { AutoTokenizer } from './auto-tokenizer';
export type { ApplyChatTemplateOptions, ChatMessage, ChatTool, ChatToolCall } from './chat-messages';
export type { ChatTemplateContext, ChatTemplates } from './chat-template';
export { CHAT_TEMPLATE_FILE, renderChatTemplate } from './chat-template';
export { CHAT_TEMPLATE_DIR } from './chat-template-files';
export { createByteLevelTokenizer } from './create-byte-level-tokenizer';
export type {
  AddTokensOptions,
  HuggingFaceTokenizerInit,
  TokenizerFiles,
  TokenTypesEncodeOptions,
  TokenTypesEncoding,
} from './huggingface-tokenizer';
export { HuggingFaceTokenizer } from './huggingface-tokenizer';
export type { SmallTokenizerOptions } from './small-tokenizer-options';
export type { SpecialTokenRole } from './special-tokens';
export type { AddedTokenJson, TokenizerJson } from './tokenizer-files';
export { SPECIAL_TOKENS_MAP_FILE, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './tokenizer-files';
export type { TrainBpeOptions } from './train-bpe';
export { trainBpeTokenizer } from './train-bpe';
export { WORDPIECE_VOCAB_FILE, wordPieceTokenizerJson } from './wordpiece-vocab';
