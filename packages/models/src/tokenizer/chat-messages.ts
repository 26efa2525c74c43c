/**
 * Chat messages and tool descriptions in the shape transformers' `apply_chat_template` hands to a
 * checkpoint's Jinja template. Field names stay snake_case because templates read them by name.
 */

/** A function call an assistant message asks for, as OpenAI-style chat APIs and transformers spell it. */
export interface ChatToolCall {
  /** Call id, echoed by the tool message's `tool_call_id` (templates such as Mistral's print it). */
  id?: string;
  /** Always `function` today. */
  type?: 'function';
  /** Which function and with what arguments. */
  function: {
    /** Function name, one of the `tools` given to the template. */
    name: string;
    /** Arguments as an object, or as a JSON string (templates check `is string` and print either). */
    arguments: Record<string, unknown> | string;
  };
}

/** One message of a conversation. Extra keys (e.g. `reasoning_content`) reach the template as they are. */
export interface ChatMessage {
  /** Who speaks: `system`, `user`, `assistant` or `tool` (templates may accept others). */
  role: string;
  /** The text; null for an assistant turn that only calls tools; a list of parts for multimodal templates. */
  content?: string | null | readonly Record<string, unknown>[];
  /** Calls an assistant message makes. */
  tool_calls?: readonly ChatToolCall[];
  /** The function a `tool` message answers (some templates print it). */
  name?: string;
  /** The call a `tool` message answers. */
  tool_call_id?: string;
  /** Anything else a template reads from a message. */
  [key: string]: unknown;
}

/** A JSON-schema description of a function the model may call, as transformers passes `tools`. */
export interface ChatTool {
  /** Always `function` today. */
  type: 'function';
  /** The function's name, description and JSON-schema parameters. */
  function: {
    /** Name the model calls it by. */
    name: string;
    /** What it does, shown to the model. */
    description?: string;
    /** JSON schema of the arguments object (`{ type: 'object', properties, required }`). */
    parameters?: Record<string, unknown>;
    /** Anything else a template reads (e.g. `return`). */
    [key: string]: unknown;
  };
  /** Anything else a template reads. */
  [key: string]: unknown;
}

/** Options of {@link HuggingFaceTokenizer.applyChatTemplate}; other keys are template variables. */
export interface ApplyChatTemplateOptions {
  /** Functions the model may call; templates without tool support ignore them. */
  tools?: readonly ChatTool[];
  /** Documents for retrieval-augmented templates (usually `{ title, text }` objects). */
  documents?: readonly Record<string, unknown>[];
  /** Append the header that starts an assistant turn (transformers' `add_generation_prompt`). Default false. */
  addGenerationPrompt?: boolean;
  /**
   * Leave the last message open so the model continues it (a prefilled answer); cannot be combined
   * with `addGenerationPrompt`. Default false.
   */
  continueFinalMessage?: boolean;
  /**
   * Return token ids instead of text (encoded without adding special tokens, as transformers does:
   * the template writes them). Default false, unlike transformers' `tokenize=True`.
   */
  tokenize?: boolean;
  /** A Jinja template, or the name of one of the tokenizer's named templates, instead of its default. */
  chatTemplate?: string;
  /** Extra template variables (e.g. `enable_thinking`, `date_string`), as transformers' `**kwargs`. */
  [templateVariable: string]: unknown;
}
