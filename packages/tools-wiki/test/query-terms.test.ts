import { describe, expect, it } from 'vitest';
import { MAX_QUERY_TERMS, queryTerms, toFts5Query } from '../src/index';

describe('queryTerms', () => {
  it.each<[what: string, query: string, terms: string[]]>([
    [
      'extracts distinct lowercased words in order',
      'Who founded Stugias, Touquefith? stugias!',
      ['who', 'founded', 'stugias', 'touquefith'],
    ],
    [
      'treats query syntax as plain words or separators',
      'alpha AND "beta" NEAR(gamma) title:delta*',
      ['alpha', 'beta', 'near', 'gamma', 'title', 'delta'],
    ],
    [
      'drops English stop words',
      'What is the length of the Zorvath river?',
      ['what', 'length', 'zorvath', 'river'],
    ],
    ['keeps stop words when nothing else is left', 'To be or not to be', ['to', 'be', 'or', 'not']],
    ['keeps a lone syntax word when nothing else is left', 'AND "', ['and']],
    ['returns nothing for empty input', '', []],
    ['returns nothing for word-less input', ' ?!"() ', []],
    ['returns nothing for a lone surrogate', '\ud800\udc00'.slice(0, 1), []],
    ['returns nothing for a non-string', undefined as unknown as string, []],
    [
      'keeps letters with combining accents and non-Latin scripts',
      'Zürich e\u0301te\u0301 Ærø 東京 42',
      ['zürich', 'e\u0301te\u0301', 'ærø', '東京', '42'],
    ],
  ])('%s', (_what, query, terms) => {
    expect(queryTerms(query)).toEqual(terms);
  });

  it('caps the number of terms', () => {
    const terms = queryTerms(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '));
    expect(terms).toHaveLength(MAX_QUERY_TERMS);
    expect(terms[0]).toBe('w0');
  });
});

describe('toFts5Query', () => {
  it('quotes every term and ORs them', () => {
    expect(toFts5Query('Alpha AND beta')).toBe('"alpha" OR "beta"');
    expect(toFts5Query('NOT')).toBe('"not"');
    expect(toFts5Query('"')).toBeUndefined();
  });
});
