import { describe, expect, it } from 'vitest';
import { MAX_QUERY_TERMS, queryTerms, toFts5Query } from '../src/index';

describe('queryTerms', () => {
  it('extracts distinct lowercased words in order', () => {
    expect(queryTerms('Who founded Stugias, Touquefith? stugias!')).toEqual([
      'who',
      'founded',
      'stugias',
      'touquefith',
    ]);
  });

  it('treats query syntax as plain words or separators', () => {
    expect(queryTerms('alpha AND "beta" NEAR(gamma) title:delta*')).toEqual([
      'alpha',
      'beta',
      'near',
      'gamma',
      'title',
      'delta',
    ]);
  });

  it('drops English stop words unless nothing else is left', () => {
    expect(queryTerms('What is the length of the Zorvath river?')).toEqual([
      'what',
      'length',
      'zorvath',
      'river',
    ]);
    expect(queryTerms('To be or not to be')).toEqual(['to', 'be', 'or', 'not']);
    expect(queryTerms('AND "')).toEqual(['and']);
  });

  it('returns nothing for empty or word-less input', () => {
    expect(queryTerms('')).toEqual([]);
    expect(queryTerms(' ?!"() ')).toEqual([]);
    expect(queryTerms('\ud800\udc00'.slice(0, 1))).toEqual([]);
    expect(queryTerms(undefined as unknown as string)).toEqual([]);
  });

  it('keeps letters with combining accents and non-Latin scripts', () => {
    expect(queryTerms('Zürich e\u0301te\u0301 Ærø 東京 42')).toEqual([
      'zürich',
      'e\u0301te\u0301',
      'ærø',
      '東京',
      '42',
    ]);
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
