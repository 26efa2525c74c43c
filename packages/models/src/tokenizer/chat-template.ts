import { Environment, Interpreter, parse, tokenize } from '@huggingface/jinja';
import { TrlError } from '@trl/core';
import type { ApplyChatTemplateOptions, ChatMessage, ChatTool } from './chat-messages';
import { SPECIAL_TOKEN_ROLE_KEYS, type SpecialTokenRole, type SpecialTokenRoles } from './special-tokens';

/** The file transformers 4.43+ saves the default chat template to, beside tokenizer_config.json. */
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** A tokenizer's chat templates: one template, or several by name (`default`, `tool_use`, ...). */
export type ChatTemplates = string | Readonly<Record<string, string>>;

/** Everything a chat template is rendered with, as transformers' `render_jinja_template` passes it. */
export interface ChatTemplateContext {
  /** The conversation. */
  messages: readonly ChatMessage[];
  /** Function descriptions, or undefined (the template then sees `tools` as none). */
  tools?: readonly ChatTool[];
  /** Retrieval documents, or undefined (seen as none). */
  documents?: readonly Record<string, unknown>[];
  /** Whether to end with the header of a new assistant turn. */
  addGenerationPrompt?: boolean;
  /** Cut the output right after the last message's content so a model continues it. */
  continueFinalMessage?: boolean;
  /** `bos_token`, `eos_token`, ...: the tokenizer's special tokens as strings. */
  specialTokens?: Readonly<Record<string, string>>;
  /** Extra variables; they override special tokens of the same name, as in transformers. */
  variables?: Readonly<Record<string, unknown>>;
  /** Names the template in errors, e.g. `Qwen/Qwen3-0.6B: chat_template`. */
  source?: string;
}

/** Names the renderer sets itself; passing them as extra variables is a mistake, as in Python. */
const RESERVED_VARIABLES = ['messages', 'tools', 'documents', 'add_generation_prompt'] as const;

// Appended to the final message so its end can be found in the output, as transformers does.
const CONTINUE_TAG = 'CONTINUE_FINAL_MESSAGE_TAG ';

/** Raised by the template's `raise_exception(message)`; carries the template author's message. */
class TemplateRaised extends Error {}

/**
 * Renders a Jinja chat template with transformers' conventions: blocks trimmed (`trim_blocks`,
 * `lstrip_blocks`), `raise_exception` and `strftime_now` available, `tools`/`documents` none when
 * absent. Pure apart from `strftime_now` reading the clock.
 */
export function renderChatTemplate(template: string, context: ChatTemplateContext): string {
  const source = context.source ?? 'chat_template';
  if (typeof template !== 'string' || template === '')
    throw new TrlError('invalid-argument', `${source}: the chat template must be a non-empty string.`);
  checkContext(context, source);
  const { addGenerationPrompt = false, continueFinalMessage = false } = context;
  if (addGenerationPrompt && continueFinalMessage)
    throw new TrlError(
      'invalid-argument',
      'applyChatTemplate: continueFinalMessage and addGenerationPrompt cannot both be true; use continueFinalMessage to extend the last message, addGenerationPrompt to start a new assistant turn.',
    );
  let messages = context.messages;
  let finalContent = '';
  if (continueFinalMessage) {
    ({ messages, finalContent } = tagFinalMessage(messages, template, source));
  }
  const program = compile(template, source);
  // The renderer's own globals are declared here rather than by `Template.render`, which would not
  // let `raise_exception` be told apart from a bug in the template or let `strftime_now` ignore the locale.
  const env = new Environment();
  const variables: Record<string, unknown> = {
    false: false,
    true: true,
    none: null,
    False: false,
    True: true,
    None: null,
    range: jinjaRange,
    ...context.specialTokens,
    ...context.variables,
    messages,
    tools: context.tools ?? null,
    documents: context.documents ?? null,
    add_generation_prompt: addGenerationPrompt,
    raise_exception: (message: unknown) => {
      throw new TemplateRaised(String(message));
    },
    strftime_now: (format: unknown) => strftime(new Date(), String(format)),
  };
  for (const [name, value] of Object.entries(variables)) env.set(name, value);
  let rendered: string;
  try {
    rendered = String(new Interpreter(env).run(program).value);
  } catch (error) {
    if (error instanceof TemplateRaised)
      throw new TrlError(
        'chat-template-raised',
        `${source}: the chat template refused the input: ${error.message}`,
      );
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrlError('chat-template-error', `${source}: rendering the chat template failed: ${reason}`);
  }
  return continueFinalMessage ? cutAtTag(rendered, finalContent, source) : rendered;
}

/**
 * The text of `HuggingFaceTokenizer.applyChatTemplate`: picks the template, passes the role
 * special tokens as strings (transformers v5's `special_tokens_map`, additional tokens left out) and
 * every unrecognised option as a template variable.
 */
export function renderTokenizerChat(
  messages: readonly ChatMessage[],
  options: ApplyChatTemplateOptions,
  tokenizer: { templates: ChatTemplates | undefined; roles: SpecialTokenRoles; source: string },
): string {
  const {
    tools,
    documents,
    addGenerationPrompt,
    continueFinalMessage,
    tokenize,
    chatTemplate,
    ...variables
  } = options;
  for (const key of ['add_generation_prompt', 'continue_final_message', 'chat_template'])
    if (key in variables)
      throw new TrlError(
        'snake-case-option',
        `applyChatTemplate: "${key}" is spelled ${key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())} here.`,
      );
  const specialTokens: Record<string, string> = {};
  for (const [role, key] of Object.entries(SPECIAL_TOKEN_ROLE_KEYS) as [SpecialTokenRole, string][]) {
    const content = tokenizer.roles[role];
    if (content !== undefined) specialTokens[key] = content;
  }
  const template = selectChatTemplate(
    tokenizer.templates,
    chatTemplate,
    tools !== undefined,
    tokenizer.source,
  );
  return renderChatTemplate(template, {
    messages,
    tools,
    documents,
    addGenerationPrompt,
    continueFinalMessage,
    specialTokens,
    variables,
    source: `${tokenizer.source}: chat_template`,
  });
}

/**
 * Picks the template to render as transformers' `get_chat_template`: an explicit template string
 * or name, else `tool_use` when tools are given and the tokenizer has one, else `default`.
 */
export function selectChatTemplate(
  templates: ChatTemplates | undefined,
  requested: string | undefined,
  hasTools: boolean,
  source: string,
): string {
  if (requested !== undefined && typeof requested !== 'string')
    throw new TrlError(
      'invalid-argument',
      'applyChatTemplate: chatTemplate must be a template string or a template name.',
    );
  if (typeof templates === 'object') {
    if (requested !== undefined) return templates[requested] ?? requested;
    if (hasTools && templates.tool_use !== undefined) return templates.tool_use;
    if (templates.default !== undefined) return templates.default;
    throw new TrlError(
      'missing-chat-template',
      `${source} has several chat templates and none named "default"; pass chatTemplate with one of ${Object.keys(templates).sort().join(', ')}.`,
    );
  }
  if (requested !== undefined) return requested;
  if (templates !== undefined) return templates;
  throw new TrlError(
    'missing-chat-template',
    `${source} has no chat template: neither ${CHAT_TEMPLATE_FILE} nor a "chat_template" key in tokenizer_config.json. Use a chat checkpoint's tokenizer, add the template file, or pass chatTemplate to applyChatTemplate.`,
  );
}

/**
 * The templates a tokenizer folder declares. A chat_template.jinja file wins over tokenizer_config's
 * `chat_template`, which is a string or a list of `{ name, template }` (older multi-template saves).
 */
export function readChatTemplates(
  configValue: unknown,
  fromFiles: ChatTemplates | undefined,
  source: string,
): ChatTemplates | undefined {
  if (fromFiles !== undefined) return fromFiles;
  if (configValue === undefined || configValue === null) return undefined;
  if (typeof configValue === 'string') return configValue;
  const entries: [string, string][] = [];
  if (Array.isArray(configValue)) {
    for (const entry of configValue as unknown[]) {
      const { name, template } = (entry ?? {}) as { name?: unknown; template?: unknown };
      if (typeof name !== 'string' || typeof template !== 'string') return invalidTemplates(source);
      entries.push([name, template]);
    }
  } else if (typeof configValue === 'object') {
    for (const [name, template] of Object.entries(configValue)) {
      if (typeof template !== 'string') return invalidTemplates(source);
      entries.push([name, template]);
    }
  } else return invalidTemplates(source);
  return Object.fromEntries(entries);
}

/** Templates as tokenizer_config.json's `chat_template` holds them: a string, or a `{ name, template }` list. */
export function chatTemplatesConfigValue(
  templates: ChatTemplates | undefined,
): string | { name: string; template: string }[] | undefined {
  if (templates === undefined || typeof templates === 'string') return templates;
  return Object.entries(templates).map(([name, template]) => ({ name, template }));
}

function invalidTemplates(source: string): never {
  throw new TrlError(
    'invalid-file',
    `${source}: tokenizer_config.json "chat_template" must be a string or a list of { "name": string, "template": string }; fix or remove the key.`,
  );
}

// Templates are re-rendered per sample in training loops; parsing each time would dominate.
type Program = ReturnType<typeof parse>;
const compiled = new Map<string, Program>();
const COMPILED_LIMIT = 16;

function compile(template: string, source: string): Program {
  const cached = compiled.get(template);
  if (cached !== undefined) return cached;
  let parsed: Program;
  try {
    // transformers renders with trim_blocks and lstrip_blocks; templates rely on it for newlines.
    parsed = parse(tokenize(template, { lstrip_blocks: true, trim_blocks: true }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrlError('invalid-chat-template', `${source}: the chat template is not valid Jinja: ${reason}`);
  }
  if (compiled.size >= COMPILED_LIMIT) compiled.delete(compiled.keys().next().value as string);
  compiled.set(template, parsed);
  return parsed;
}

/** Python's `range(stop)` / `range(start, stop[, step])`. */
function jinjaRange(first: number, second?: number, step = 1): number[] {
  const [start, stop] = second === undefined || second === null ? [0, first] : [first, second];
  if (step === 0) throw new Error('range() arg 3 must not be zero');
  const out: number[] = [];
  for (let value = start; step > 0 ? value < stop : value > stop; value += step) out.push(value);
  return out;
}

function checkContext(context: ChatTemplateContext, source: string): void {
  const { messages, tools, documents } = context;
  if (!Array.isArray(messages))
    throw new TrlError(
      'invalid-argument',
      `applyChatTemplate: messages must be an array of { role, content } objects.`,
    );
  messages.forEach((message, index) => {
    if (typeof message !== 'object' || message === null || typeof message.role !== 'string')
      throw new TrlError(
        'invalid-argument',
        `applyChatTemplate: messages[${index}] must be an object with a string "role".`,
      );
  });
  for (const [name, list] of [
    ['tools', tools],
    ['documents', documents],
  ] as const) {
    if (list === undefined) continue;
    if (
      !Array.isArray(list) ||
      list.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))
    )
      throw new TrlError(
        'invalid-argument',
        `applyChatTemplate: ${name} must be an array of objects${name === 'tools' ? " ({ type: 'function', function: { name, description, parameters } })" : ''}.`,
      );
  }
  for (const name of RESERVED_VARIABLES) {
    if (context.variables !== undefined && name in context.variables)
      throw new TrlError(
        'invalid-argument',
        `${source}: "${name}" is set by applyChatTemplate itself; pass it through its own option.`,
      );
  }
}

function tagFinalMessage(
  messages: readonly ChatMessage[],
  template: string,
  source: string,
): { messages: ChatMessage[]; finalContent: string } {
  const last = messages.at(-1);
  if (last === undefined || last.content === undefined || last.content === null)
    throw new TrlError(
      'invalid-argument',
      'applyChatTemplate: continueFinalMessage needs a last message with content to continue.',
    );
  if (!template.includes('content'))
    throw new TrlError(
      'invalid-argument',
      `${source}: continueFinalMessage needs a template that prints message content.`,
    );
  const copy = structuredClone(messages) as ChatMessage[];
  const final = copy.at(-1) as ChatMessage;
  if (typeof final.content === 'string') {
    const finalContent = final.content;
    final.content = finalContent + CONTINUE_TAG;
    return { messages: copy, finalContent };
  }
  const parts = final.content as Record<string, unknown>[];
  for (let index = parts.length - 1; index >= 0; index--) {
    const part = parts[index] as Record<string, unknown>;
    if (typeof part.text === 'string') {
      const finalContent = part.text;
      part.text = finalContent + CONTINUE_TAG;
      return { messages: copy, finalContent };
    }
  }
  throw new TrlError(
    'invalid-argument',
    'applyChatTemplate: continueFinalMessage found no text part to continue in the last message.',
  );
}

function cutAtTag(rendered: string, finalContent: string, source: string): string {
  const tag = CONTINUE_TAG.trim();
  if (!rendered.includes(finalContent.trim()) || !rendered.includes(tag))
    throw new TrlError(
      'chat-template-error',
      `${source}: continueFinalMessage is set but the chat template dropped part of the final message, so it cannot be continued.`,
    );
  const at = rendered.lastIndexOf(tag);
  // A template that strips message text also drops the tag's trailing space; then trim the cut too.
  return rendered.startsWith(CONTINUE_TAG, at) ? rendered.slice(0, at) : rendered.slice(0, at).trimEnd();
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Python's `datetime.now().strftime` in the C locale, as transformers' `strftime_now` gives
 * templates (Llama 3.2 prints "Today Date: 04 Dec 2026"). Local time, English names whatever
 * the process locale. Unknown directives stay as written.
 */
export function strftime(date: Date, format: string): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hours12 = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  const startOfYear = new Date(date.getFullYear(), 0, 1);
  const dayOfYear = Math.floor((date.getTime() - startOfYear.getTime()) / 86_400_000) + 1;
  const month = MONTHS[date.getMonth()] as string;
  const day = DAYS[date.getDay()] as string;
  const directives: Record<string, () => string> = {
    Y: () => String(date.getFullYear()),
    y: () => pad(date.getFullYear() % 100),
    m: () => pad(date.getMonth() + 1),
    d: () => pad(date.getDate()),
    '-d': () => String(date.getDate()),
    '-m': () => String(date.getMonth() + 1),
    e: () => String(date.getDate()).padStart(2, ' '),
    j: () => pad(dayOfYear, 3),
    b: () => month.slice(0, 3),
    h: () => month.slice(0, 3),
    B: () => month,
    a: () => day.slice(0, 3),
    A: () => day,
    H: () => pad(date.getHours()),
    I: () => pad(hours12),
    M: () => pad(date.getMinutes()),
    S: () => pad(date.getSeconds()),
    p: () => (date.getHours() < 12 ? 'AM' : 'PM'),
    '%': () => '%',
  };
  return format.replace(/%(-?[a-zA-Z%])/g, (whole, directive: string) => directives[directive]?.() ?? whole);
}
