import type { Tokenizer } from '@trl/spec';
import { colorsEnabled, type HistoryPalette, historyPalette } from './colors';
import { neutralizeTerminalControls } from './terminal-safe';
import type { TextHistory } from './text-history';

/** Options for terminal renderings of a history. */
export interface DisplayOptions {
  /** Force colours on or off; default: on for colour terminals unless `NO_COLOR` is set. */
  colors?: boolean;
  /** Append the colour legend. Default false. */
  legend?: boolean;
}

type SegmentStyle = keyof Omit<HistoryPalette, 'reward'>;

function segmentStyle(history: TextHistory, index: number): SegmentStyle {
  if (index === 0) return 'prompt';
  return history.segments[index]!.system ? 'system' : 'model';
}

function withFooter(body: string, history: TextHistory, palette: HistoryPalette, options: DisplayOptions) {
  const reward = `\n\n${palette.reward(`Reward: ${history.reward}`)}`;
  return options.legend ? `${body}${reward}\n${formatLegend(options)}` : `${body}${reward}`;
}

/**
 * The history's text, each segment in its colour, followed by the reward. Control characters in the
 * text (terminal escape sequences from a tool, say) are shown as escapes, never sent to the terminal.
 */
export function formatHistoryText(history: TextHistory, options: DisplayOptions = {}): string {
  const palette = historyPalette(colorsEnabled(options.colors));
  const body = history.segments
    .map((segment, index) => palette[segmentStyle(history, index)](neutralizeTerminalControls(segment.text)))
    .join('');
  return withFooter(body, history, palette, options);
}

/** Makes a single decoded token readable on one line: whitespace and other controls become escapes. */
function visibleToken(text: string): string {
  return neutralizeTerminalControls(text.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t'));
}

/** Every token decoded on its own and separated by spaces, coloured by who wrote it. */
export function formatHistoryTokens(
  history: TextHistory,
  tokenizer: Tokenizer,
  options: DisplayOptions = {},
): string {
  const palette = historyPalette(colorsEnabled(options.colors));
  const pieces: string[] = [];
  history.segments.forEach((segment, index) => {
    const style = palette[segmentStyle(history, index)];
    for (const id of segment.tokenIds) pieces.push(style(visibleToken(tokenizer.decode([id]))));
  });
  return withFooter(pieces.join(' '), history, palette, options);
}

/** The colour legend: `(Colour Legend: Prompt|System|Model|Reward)`. */
export function formatLegend(options: Pick<DisplayOptions, 'colors'> = {}): string {
  const palette = historyPalette(colorsEnabled(options.colors));
  const entries = [
    palette.prompt('Prompt'),
    palette.system('System'),
    palette.model('Model'),
    palette.reward('Reward'),
  ];
  return `(Colour Legend: ${entries.join('|')})`;
}
