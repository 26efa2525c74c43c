import { afterEach, describe, expect, it, vi } from 'vitest';
import { escapeHtml, historyPalette, TextHistory, toHTML } from '../src/index';
import { ByteTokenizer } from './helpers/byte-tokenizer';

const tokenizer = new ByteTokenizer();
const enc = (text: string) => tokenizer.encode(text);

function sample(): TextHistory {
  const history = new TextHistory('Q: 1+1?', enc('Q: 1+1?'));
  history.appendSegment('<request><Calculator>1+1<call>', enc('<request><Calculator>1+1<call>'), false);
  history.appendSegment('2<response>', enc('2<response>'), true);
  history.appendSegment('2<submit>', enc('2<submit>'), false);
  history.logToolCall({
    turn: 0,
    tool: 'Calculator',
    query: '1+1',
    status: 'ok',
    response: '2',
    latencyMs: 1.5,
  });
  history.complete('submit');
  history.reward = 0.5;
  return history;
}

const ESC = '\u001b[';

describe('TextHistory', () => {
  it('tracks text spans, token spans, system flags and masks', () => {
    const history = sample();
    expect(history.text).toBe('Q: 1+1?<request><Calculator>1+1<call>2<response>2<submit>');
    expect(history.textSpans).toEqual([
      [0, 7],
      [7, 37],
      [37, 48],
      [48, 57],
    ]);
    expect(history.tokenSpans).toEqual(history.textSpans);
    expect(history.systemSpans).toEqual([true, false, true, false]);
    expect(history.tokenMasks).toEqual([
      ...new Array(7).fill(0),
      ...new Array(30).fill(1),
      ...new Array(11).fill(0),
      ...new Array(9).fill(1),
    ]);
    expect(history.lastTextSegment).toBe('2<submit>');
    expect(history.lastTokenSegment).toEqual(enc('2<submit>'));
    expect(history.queryLength).toBe(7);
    const split = history.splitQueryResponseTokens();
    expect(split.query).toEqual(enc('Q: 1+1?'));
    expect(split.response).toEqual(history.tokens.slice(7));
    expect(split.mask).toEqual(history.tokenMasks.slice(7));
    expect(history).toMatchObject({ completed: true, truncated: false, endReason: 'submit' });
  });

  it('marks max-length ends as truncated', () => {
    const history = new TextHistory('a', [97]);
    history.complete('max-length');
    expect(history.truncated).toBe(true);
  });

  it('refuses segments without tokens or with invalid ids', () => {
    const history = new TextHistory('a', [97]);
    expect(() => history.appendSegment('b', [])).toThrow('tokenIds must be a non-empty array');
    expect(() => history.appendSegment('b', [1.5])).toThrow('token id 1.5 is not a non-negative integer');
    expect(() => new TextHistory('', [])).toThrow('non-empty');
    expect(history.tokens).toEqual([97]);
  });
});

describe('TextHistory display', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('renders plain text with the reward when colours are off', () => {
    const history = sample();
    expect(history.formatText({ colors: false })).toBe(`${history.text}\n\nReward: 0.5`);
    expect(history.formatText({ colors: false, legend: true })).toBe(
      `${history.text}\n\nReward: 0.5\n(Colour Legend: Prompt|System|Model|Reward)`,
    );
  });

  it('colours prompt, system, model and reward differently when colours are on', () => {
    const out = sample().formatText({ colors: true });
    const palette = historyPalette(true);
    const styles = [palette.prompt('x'), palette.system('x'), palette.model('x'), palette.reward('x')];
    expect(new Set(styles).size).toBe(4);
    expect(styles.every((style) => style.startsWith(ESC))).toBe(true);
    expect(out).toContain(palette.prompt('Q: 1+1?'));
    expect(out).toContain(palette.model('<request><Calculator>1+1<call>'));
    expect(out).toContain(palette.system('2<response>'));
    expect(out).toContain(palette.model('2<submit>'));
    expect(out).toContain(palette.reward('Reward: 0.5'));
  });

  it('honours NO_COLOR unless colours are forced', () => {
    vi.stubEnv('NO_COLOR', '1');
    const history = sample();
    expect(history.formatText()).not.toContain(ESC);
    expect(history.formatTokens(tokenizer)).not.toContain(ESC);
    expect(history.formatText({ colors: true })).toContain(ESC);
  });

  it('shows each token decoded on its own', () => {
    const history = new TextHistory('hi\n', enc('hi\n'));
    history.appendSegment('ok', enc('ok'), false);
    expect(history.formatTokens(tokenizer, { colors: false })).toBe('h i \\n o k\n\nReward: 0');
  });

  it('prints through show* and returns what it printed', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('NO_COLOR', '1');
    const history = sample();
    expect(history.showText()).toBe(history.formatText());
    expect(history.showTokens(tokenizer, { legend: true })).toContain('(Colour Legend:');
    expect(history.showColourLegend()).toBe('(Colour Legend: Prompt|System|Model|Reward)');
    expect(log).toHaveBeenCalledTimes(3);
  });
});

describe('toHTML', () => {
  it('renders a page with every history, escaped segments, classes, rewards and the tool log', () => {
    const first = sample();
    const second = new TextHistory('<b>&"x"', enc('<b>&"x"'));
    second.appendSegment('no', enc('no'), false);
    second.complete('no-call');
    second.reward = -1;
    const html = toHTML([first, second], { title: 'Run <1>', tokenizer });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Run &lt;1&gt;</title>');
    expect(html).toContain('<span class="prompt">Q: 1+1?</span>');
    expect(html).toContain('<span class="model">&lt;request&gt;&lt;Calculator&gt;1+1&lt;call&gt;</span>');
    expect(html).toContain('<span class="system">2&lt;response&gt;</span>');
    expect(html).toContain('<span class="prompt">&lt;b&gt;&amp;&quot;x&quot;</span>');
    expect(html).toContain('Reward: 0.5');
    expect(html).toContain('Reward: -1');
    expect(html).toContain('ended: no-call');
    expect(html).toContain('<td>Calculator</td><td>1+1</td><td>ok</td><td>2</td><td>1.5</td>');
    expect(html.match(/<section class="history">/g)).toHaveLength(2);
    expect(html).toContain('<div class="tokens">');
    expect(html).not.toContain('<request>');
    expect(first.toHTML()).toContain('<section class="history">');
  });

  it('escapes all five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
