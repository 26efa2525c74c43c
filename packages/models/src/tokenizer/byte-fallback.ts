import {
  ByteFallbackDecoder,
  SequenceDecoder,
  type Tokenizer as TokenizersJsTokenizer,
} from '@huggingface/tokenizers';

// `fatal` lets an invalid run be detected; `ignoreBOM` keeps a decoded U+FEFF instead of eating it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The byte of a `<0xNN>` token (SentencePiece byte fallback), or undefined for any other token. */
function byteOf(token: string): number | undefined {
  if (token.length !== 6 || !token.startsWith('<0x') || !token.endsWith('>')) return undefined;
  const hex = token.slice(3, 5);
  return /^[0-9A-Fa-f]{2}$/.test(hex) ? Number.parseInt(hex, 16) : undefined;
}

function decodeRun(bytes: number[]): string[] {
  try {
    return [strictUtf8.decode(Uint8Array.from(bytes))];
  } catch {
    // The Rust decoder gives one replacement character per byte of a run that is not valid UTF-8.
    return bytes.map(() => '\uFFFD');
  }
}

/**
 * The `ByteFallback` decoder step as the Rust `tokenizers` library runs it: each maximal run of
 * `<0xNN>` tokens becomes the UTF-8 text of its bytes, or one U+FFFD per byte when the run is not
 * valid UTF-8; other tokens pass through.
 */
export function decodeByteFallback(tokens: readonly string[]): string[] {
  const out: string[] = [];
  let run: number[] = [];
  for (const token of tokens) {
    const byte = byteOf(token);
    if (byte !== undefined) {
      run.push(byte);
      continue;
    }
    if (run.length > 0) out.push(...decodeRun(run));
    run = [];
    out.push(token);
  }
  if (run.length > 0) out.push(...decodeRun(run));
  return out;
}

type AnyDecoder = NonNullable<TokenizersJsTokenizer['decoder']>;

/**
 * Swaps the `ByteFallback` steps of a loaded `@huggingface/tokenizers` decoder for
 * {@link decodeByteFallback}: upstream decodes byte runs with a lenient TextDecoder, which drops a
 * leading U+FEFF and collapses invalid runs differently from the Rust library.
 */
export function fixByteFallbackDecoders(decoder: AnyDecoder | null): void {
  if (decoder instanceof SequenceDecoder) {
    for (const step of decoder.decoders) fixByteFallbackDecoders(step);
  } else if (decoder instanceof ByteFallbackDecoder) {
    decoder.decode_chain = decodeByteFallback;
  }
}
