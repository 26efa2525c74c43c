/**
 * Code points a terminal acts on instead of printing: C0 controls except tab and newline, DEL, and
 * the C1 range (0x9B is a one-byte CSI on some terminals). Bidi overrides are included because
 * they can make displayed text read differently from what the model saw.
 */
function isUnsafe(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function escapeCode(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes text from tools or the model safe to print: escape sequences, lone carriage returns,
 * backspaces and other controls become visible escapes (`ESC[31m` → `\x1b[31m`), so tool output
 * cannot recolour, move the cursor, retitle the window or hide text. Tabs, newlines and `\r\n`
 * are kept; the result differs from the input only where it had such characters.
 */
export function neutralizeTerminalControls(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafe(code) || (code === 0x0d && text.charCodeAt(i + 1) === 0x0a)) continue;
    out += text.slice(start, i) + (code === 0x0d ? '\\r' : escapeCode(code));
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}
