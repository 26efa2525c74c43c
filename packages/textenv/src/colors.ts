import pc from 'picocolors';

/** The four styles of a history display, after TRL's prompt/system/model/reward colours. */
export interface HistoryPalette {
  /** The first segment (prompt + task). */
  prompt: (text: string) => string;
  /** Tool answers and other system text. */
  system: (text: string) => string;
  /** Text the model wrote. */
  model: (text: string) => string;
  /** The reward line. */
  reward: (text: string) => string;
}

/**
 * Whether to colour terminal output. An explicit choice wins; otherwise a non-empty `NO_COLOR`
 * turns colours off (https://no-color.org), read at call time so it can change while running, and
 * picocolors' own detection (TTY, `FORCE_COLOR`, CI) decides the rest.
 */
export function colorsEnabled(explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  const noColor = typeof process === 'undefined' ? undefined : process.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return pc.isColorSupported;
}

/** The palette for terminal output; plain identity functions when colours are off. */
export function historyPalette(enabled: boolean): HistoryPalette {
  const c = pc.createColors(enabled);
  return {
    prompt: (text) => c.black(c.bgWhite(text)),
    system: (text) => c.black(c.bgCyan(text)),
    model: (text) => c.black(c.bgBlueBright(text)),
    reward: (text) => c.black(c.bgMagenta(text)),
  };
}
