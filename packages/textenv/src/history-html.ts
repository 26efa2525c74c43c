import type { Tokenizer } from '@trl/spec';
import type { TextHistory } from './text-history';

/** Options for `toHTML`. */
export interface HtmlOptions {
  /** Page title. Default `TextEnvironment histories`. */
  title?: string;
  /** When given, each history also shows its tokens one by one, decoded with this tokenizer. */
  tokenizer?: Tokenizer;
}

const PAGE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111; }
.legend span, .history .text span, .history .tokens span { color: #000; padding: 0 1px; }
.prompt { background: #d9d9d9; }
.system { background: #00cdcd; }
.model { background: #00afff; }
.reward { background: #ffbbff; padding: 0 4px; }
.history { border: 1px solid #ccc; border-radius: 6px; padding: 0.5rem 1rem; margin: 1rem 0; }
.history h2 { font-size: 1rem; margin: 0.25rem 0; }
.text, .tokens { white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, monospace; }
.tokens span { margin-right: 3px; }
table { border-collapse: collapse; font-size: 0.9rem; }
td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
`;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function segmentClass(history: TextHistory, index: number): string {
  if (index === 0) return 'prompt';
  return history.segments[index]!.system ? 'system' : 'model';
}

function renderToolCalls(history: TextHistory): string {
  if (history.toolCalls.length === 0) return '';
  const rows = history.toolCalls
    .map(
      (call) =>
        `<tr><td>${call.turn}</td><td>${escapeHtml(call.tool ?? '')}</td><td>${escapeHtml(call.query ?? '')}</td>` +
        `<td>${call.status}</td><td>${escapeHtml(call.response)}</td><td>${call.latencyMs.toFixed(1)}</td></tr>`,
    )
    .join('');
  return (
    '<table class="tool-calls"><tr><th>turn</th><th>tool</th><th>query</th><th>status</th>' +
    `<th>response</th><th>ms</th></tr>${rows}</table>`
  );
}

function renderTokens(history: TextHistory, tokenizer: Tokenizer): string {
  const spans = history.segments.flatMap((segment, index) =>
    segment.tokenIds.map(
      (id) => `<span class="${segmentClass(history, index)}">${escapeHtml(tokenizer.decode([id]))}</span>`,
    ),
  );
  return `<div class="tokens">${spans.join('')}</div>`;
}

function renderHistory(history: TextHistory, index: number, tokenizer: Tokenizer | undefined): string {
  const text = history.segments
    .map((segment, i) => `<span class="${segmentClass(history, i)}">${escapeHtml(segment.text)}</span>`)
    .join('');
  const status = history.completed ? `ended: ${history.endReason ?? 'unknown'}` : 'running';
  const flags = history.truncated ? ' · truncated' : '';
  return (
    `<section class="history"><h2>History ${index} · <span class="reward">Reward: ${escapeHtml(String(history.reward))}</span>` +
    ` · ${escapeHtml(status)}${flags}</h2><div class="text">${text}</div>` +
    `${tokenizer ? renderTokens(history, tokenizer) : ''}${renderToolCalls(history)}</section>`
  );
}

/**
 * A self-contained HTML page showing a batch of histories: each segment coloured by who wrote it
 * (prompt, system, model), each history's reward, end reason and tool-call log, and a legend.
 * All text is escaped, so protocol markers such as `<call>` show up literally.
 */
export function toHTML(histories: readonly TextHistory[], options: HtmlOptions = {}): string {
  const title = escapeHtml(options.title ?? 'TextEnvironment histories');
  const legend =
    '<p class="legend">Legend: <span class="prompt">Prompt</span> <span class="system">System</span> ' +
    '<span class="model">Model</span> <span class="reward">Reward</span></p>';
  const body = histories.map((history, index) => renderHistory(history, index, options.tokenizer)).join('\n');
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
    `<style>${PAGE_STYLE}</style></head><body><h1>${title}</h1>${legend}\n${body}\n</body></html>\n`
  );
}
