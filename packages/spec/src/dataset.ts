/** A row for plain language-model training (SFT). */
export interface TextRow {
  /** The whole training text. */
  text: string;
}

/** A row split into a prompt and the completion the model should learn to produce. */
export interface PromptCompletionRow {
  /** Context the model conditions on (not trained on with completion-only loss). */
  prompt: string;
  /** The text to learn. */
  completion: string;
}

/** A row holding only a prompt, as PPO and text environments consume. */
export interface PromptRow {
  /** The query text. */
  prompt: string;
}

/** A preference pair for reward modeling: `chosen` should score higher than `rejected`. */
export interface PreferenceRow {
  /** The preferred text, or its token ids. */
  chosen: string | number[];
  /** The other text, or its token ids. */
  rejected: string | number[];
  /** Optional required gap between the two rewards (TRL's `margin` column). */
  margin?: number;
}
