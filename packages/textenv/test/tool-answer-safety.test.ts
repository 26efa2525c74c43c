import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOOL_SYNTAX,
  MIN_RAW_ANSWER_UNITS,
  neutralizeTerminalControls,
  rawAnswerLimit,
  type StripStats,
  sanitizeToolAnswer,
  stripMarkers,
  TextEnvironment,
  type TextHistory,
} from '../src/index';
import { ByteTokenizer, EOS_TEXT } from './helpers/byte-tokenizer';
import { ScriptedModel, turnsByTask } from './helpers/scripted-model';
import { constantTool } from './helpers/tools';

const MARKERS = [
  DEFAULT_TOOL_SYNTAX.request,
  DEFAULT_TOOL_SYNTAX.call,
  DEFAULT_TOOL_SYNTAX.response,
  DEFAULT_TOOL_SYNTAX.submit,
  EOS_TEXT,
];

/** The previous implementation, kept as the reference for what the result must be. */
function referenceStrip(text: string, markers: readonly string[]): string {
  let previous: string;
  do {
    previous = text;
    for (const marker of markers) text = text.split(marker).join('');
  } while (text !== previous);
  return text;
}

/**
 * `depth` markers nested inside each other, each split in half around the next one
 * (`<req<ca<sub…mit>ll>uest>`): every layer appears only once the one inside it is removed.
 */
function nestedMarkers(depth: number): string {
  const halves = MARKERS.map((marker) => [marker.slice(0, 3), marker.slice(3)] as const);
  const opens: string[] = [];
  const closes: string[] = [];
  for (let level = 0; level < depth; level++) {
    const [open, close] = halves[level % halves.length]!;
    opens.push(open);
    closes.push(close);
  }
  return opens.join('') + closes.reverse().join('');
}

/** Small deterministic PRNG (mulberry32) so the random cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const containsMarker = (text: string) => MARKERS.some((marker) => text.includes(marker));

describe('stripMarkers', () => {
  it('collapses deeply nested markers completely and keeps the text around them', () => {
    const nested = nestedMarkers(200);
    expect(referenceStrip(nested, MARKERS)).toBe('');
    expect(stripMarkers(`left ${nested} right`, MARKERS)).toBe('left  right');
  });

  it('agrees with the fixpoint definition on random mixtures of markers and marker fragments', () => {
    const random = prng(13);
    const pieces = [
      '<',
      '>',
      'x',
      'req',
      'uest>',
      '<re',
      '<call>',
      'ca',
      'll>',
      '<|end',
      'oftext|>',
      'ü',
      '😀',
    ];
    for (let round = 0; round < 500; round++) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) {
        text +=
          random() < 0.3
            ? MARKERS[Math.floor(random() * MARKERS.length)]!
            : pieces[Math.floor(random() * pieces.length)]!;
      }
      const stripped = stripMarkers(text, MARKERS);
      expect(stripped).toBe(referenceStrip(text, MARKERS));
      expect(containsMarker(stripped)).toBe(false);
    }
  });

  it('never leaves a marker behind, also with markers that overlap each other', () => {
    const random = prng(7);
    const overlapping = ['aba', 'bab', 'b'];
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 30 }, () => (random() < 0.5 ? 'a' : 'b')).join('');
      const stripped = stripMarkers(text, overlapping);
      for (const marker of overlapping) expect(stripped.includes(marker)).toBe(false);
    }
  });

  it('does work linear in the input on an 800 KB adversarial answer (at most two unit operations per unit)', () => {
    const nested = nestedMarkers(Math.floor(800_000 / 8));
    expect(nested.length).toBeGreaterThan(790_000);
    const stats: StripStats = { unitOperations: 0 };
    expect(stripMarkers(`${nested}ok`, MARKERS, stats)).toBe('ok');
    // Every unit is pushed once and popped at most once. The old split-and-repeat loop rescanned the
    // whole remaining text once per nesting level: ~n²/16 ≈ 4·10¹⁰ unit visits here.
    expect(stats.unitOperations).toBeLessThanOrEqual(2 * (nested.length + 2));
    expect(stats.unitOperations).toBeGreaterThanOrEqual(nested.length);
  });

  it('keeps non-BMP characters and text without markers intact', () => {
    expect(stripMarkers('😀<call>ü', MARKERS)).toBe('😀ü');
    const plain = 'no markers here < > <req'.repeat(1000);
    expect(stripMarkers(plain, MARKERS)).toBe(plain);
  });
});

describe('sanitizeToolAnswer', () => {
  it('bounds the raw answer before stripping, so an 800 KB answer yields at most maxChars characters', () => {
    const answer = `${nestedMarkers(50_000)}${'x'.repeat(400_000)}`;
    expect(answer.length).toBeGreaterThan(750_000);
    const out = sanitizeToolAnswer(answer, MARKERS, 100);
    expect(Array.from(out).length).toBeLessThanOrEqual(100);
    expect(out.endsWith('...')).toBe(true);
    expect(containsMarker(out)).toBe(false);
  });

  it('marks a cut answer with ... even when stripping left it shorter than the limit', () => {
    const limit = rawAnswerLimit(100);
    expect(limit).toBe(MIN_RAW_ANSWER_UNITS);
    const answer = `answer: 42 ${'<call>'.repeat(limit)}`;
    expect(sanitizeToolAnswer(answer, MARKERS, 100)).toBe('answer: 42 ...');
    expect(sanitizeToolAnswer('answer: 42 <call>', MARKERS, 100)).toBe('answer: 42 ');
  });

  it('does not split a surrogate pair at the raw cut', () => {
    const limit = rawAnswerLimit(3);
    const answer = `${'a'.repeat(limit - 1)}😀tail`;
    const out = sanitizeToolAnswer(answer, [], limit);
    expect(out.endsWith('...')).toBe(true);
    expect(out.includes('\ud83d')).toBe(false);
  });

  it('leaves a short clean answer unchanged', () => {
    expect(sanitizeToolAnswer('10.0', MARKERS, 100)).toBe('10.0');
  });
});

describe('a TextEnvironment answering with an adversarial 800 KB tool answer', () => {
  it('shows the model a bounded answer without markers', async () => {
    const tokenizer = new ByteTokenizer();
    const huge = `${nestedMarkers(100_000)}tail`;
    const model = new ScriptedModel({
      tokenizer,
      script: turnsByTask({ t: ['<request><Big>q<call>', 'ok<submit>'] }),
    });
    const env = new TextEnvironment({
      model,
      tokenizer,
      tools: [constantTool('Big', huge)],
      rewardFn: (histories: readonly TextHistory[]) => histories.map(() => 0),
      generation: { maxNewTokens: 300 },
      maxToolResponse: 50,
    });
    const { histories } = await env.run(['t']);
    const answer = histories[0]!.segments[2]!.text;
    expect(answer.endsWith(DEFAULT_TOOL_SYNTAX.response)).toBe(true);
    const body = answer.slice(0, -DEFAULT_TOOL_SYNTAX.response.length);
    expect(containsMarker(body)).toBe(false);
    expect(Array.from(body).length).toBeLessThanOrEqual(50);
    expect(histories[0]!.toolCalls[0]!.response).toBe(body);
  });
});

describe('terminal control characters', () => {
  const ESC = '\u001b';

  it('shows escape sequences, lone carriage returns and C1 controls as visible escapes', () => {
    const raw = `${ESC}[31mred${ESC}[0m ${ESC}]0;pwned\u0007 a\rb \b\u009b2J \u202eevil\nline\tend\r\n`;
    const safe = neutralizeTerminalControls(raw);
    expect(safe).toBe(
      '\\x1b[31mred\\x1b[0m \\x1b]0;pwned\\x07 a\\rb \\x08\\x9b2J \\u202eevil\nline\tend\r\n',
    );
    expect(neutralizeTerminalControls('plain ü 😀')).toBe('plain ü 😀');
  });

  it("formatText never passes a tool's escape sequences to the terminal, with or without colours", async () => {
    const tokenizer = new ByteTokenizer();
    const hostile = `${ESC}[2J${ESC}]0;title\u0007\u009b31mcleared`;
    const model = new ScriptedModel({
      tokenizer,
      script: turnsByTask({ t: ['<request><Evil>q<call>', 'ok<submit>'] }),
    });
    const env = new TextEnvironment({
      model,
      tokenizer,
      tools: [constantTool('Evil', hostile)],
      rewardFn: (histories: readonly TextHistory[]) => histories.map(() => 1),
      generation: { maxNewTokens: 300 },
    });
    const [history] = (await env.run(['t'])).histories;
    expect(history!.segments[2]!.text).toContain(ESC);
    const plain = history!.formatText({ colors: false });
    expect(plain).not.toContain(ESC);
    expect(plain).not.toContain('\u009b');
    expect(plain).toContain('\\x1b[2J\\x1b]0;title\\x07\\x9b31mcleared');
    const coloured = history!.formatText({ colors: true });
    // Only the palette's own SGR colour codes may remain.
    expect(coloured.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '')).not.toContain(ESC);
    expect(coloured).not.toContain(`${ESC}[2J`);
    expect(history!.formatTokens(tokenizer, { colors: false })).not.toContain(ESC);
  });
});
