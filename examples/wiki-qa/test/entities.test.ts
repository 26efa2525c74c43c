import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { FULL_CONFIG } from '../src/config';
import {
  CITY_COUNT,
  corpusPassages,
  entityArticle,
  entityQuestions,
  generateWorld,
  JOBS,
  sampleFrom,
  splitWorld,
} from '../src/entities';
import { createWikiTool, lookUpAll, MAX_PASSAGE_CHARS, tokenizerCorpus, toolQuery } from '../src/protocol';

type Question = ReturnType<typeof entityQuestions>[number];

const entity = { name: 'Zorvath', city: 'Kelmira', year: 1843, job: 'potter' };

describe('entity generator', () => {
  it('writes one paragraph per fact and three questions per entity', () => {
    expect(entityArticle(entity)).toEqual([
      'Zorvath was born in the city of Kelmira.',
      'Zorvath was born in the year 1843.',
      'Zorvath had a job as a potter.',
    ]);
    const questions = entityQuestions(entity);
    expect(questions.map(({ kind, question, answer, keyword }) => [kind, question, answer, keyword])).toEqual(
      [
        ['place', 'Where was Zorvath born?', 'Kelmira', 'city'],
        ['year', 'When was Zorvath born?', '1843', 'year'],
        ['job', "What was Zorvath's job?", 'potter', 'job'],
      ],
    );
    for (const q of questions) expect(q.paragraph.endsWith(` ${q.answer}.`)).toBe(true);
    expect(corpusPassages([entity]).map(({ id, articleId, title }) => [id, articleId, title])).toEqual([
      ['0#0', '0', 'Zorvath'],
      ['0#1', '0', 'Zorvath'],
      ['0#2', '0', 'Zorvath'],
    ]);
  });

  it('makes distinct names that are never a city, deterministically per seed', () => {
    const { cities, entities } = generateWorld(2000, 0);
    expect(cities).toHaveLength(CITY_COUNT);
    const names = entities.map((e) => e.name);
    expect(new Set(names).size).toBe(2000);
    expect(names.some((name) => cities.includes(name))).toBe(false);
    expect(entities.every((e) => cities.includes(e.city) && JOBS.includes(e.job))).toBe(true);
    expect(entities.every((e) => Number.isInteger(e.year) && e.year >= 1700 && e.year <= 1999)).toBe(true);
    expect(generateWorld(2000, 0).entities).toEqual(entities);
    expect(generateWorld(2000, 1).entities.map((e) => e.name)).not.toEqual(names);
  });

  it('keeps held-out entities out of SFT and PPO, and PPO entities out of SFT', () => {
    const world = splitWorld(FULL_CONFIG.entities, 0);
    const { sft, ppo, test } = FULL_CONFIG.entities;
    expect([world.sft.length, world.ppo.length, world.test.length]).toEqual([sft * 3, ppo * 3, test * 3]);
    const names = (questions: { entity: { name: string } }[]) => new Set(questions.map((q) => q.entity.name));
    const [sftNames, ppoNames, testNames] = [names(world.sft), names(world.ppo), names(world.test)];
    expect([...testNames].some((n) => sftNames.has(n) || ppoNames.has(n))).toBe(false);
    expect([...ppoNames].some((n) => sftNames.has(n))).toBe(false);
    expect(world.entities).toHaveLength(sft + ppo + test);
  });

  it('never writes a held-out or PPO name into the SFT text the model and tokenizer learn from', () => {
    const world = splitWorld(FULL_CONFIG.entities, 0);
    // What the tool returns for each SFT query (checked against the real search in the next test).
    const responses = new Map(world.sft.map((q) => [toolQuery(q), q.paragraph]));
    const words = new Set(
      tokenizerCorpus(world.sft, responses).flatMap((text) => text.match(/\p{L}+/gu) ?? []),
    );
    expect(words.has(world.sft[0]!.entity.name)).toBe(true);
    for (const q of [...world.test, ...world.ppo]) expect(words.has(q.entity.name)).toBe(false);
  });

  it('answers every held-out question in the first passage the search returns for name + keyword', async () => {
    const world = splitWorld(FULL_CONFIG.entities, 0);
    const wiki = createWikiTool(world.entities);
    const { signal } = new AbortController();
    const responses = await lookUpAll(wiki, [...world.test, ...world.sft.slice(0, 300)]);
    expect(responses.size).toBe(world.test.length + 300);
    for (const q of [...world.test, ...world.sft.slice(0, 300)]) {
      const passage = responses.get(toolQuery(q));
      expect(passage).toBe(q.paragraph);
      expect(passage).toContain(` ${q.answer}.`);
      expect(passage!.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    }
    // The name alone is not enough to choose among the article's paragraphs: the keyword matters.
    const [place, year] = world.test as [Question, Question];
    expect(await wiki.call(toolQuery({ ...year, keyword: 'city' }), { signal })).toBe(place.paragraph);
    await wiki.close();
  });

  it('samples only from the pool it is given', () => {
    const pool = entityQuestions(entity);
    const drawn = sampleFrom(pool, 60, new Rng(3));
    expect(drawn).toHaveLength(60);
    expect(new Set(drawn).size).toBe(3);
    expect(drawn.every((q) => pool.includes(q))).toBe(true);
  });

  it('rejects bad sizes with the field name', () => {
    expect(() => generateWorld(0, 0)).toThrow(/count must be a positive integer/);
    expect(() => splitWorld({ sft: 10, ppo: 0, test: 5 }, 0)).toThrow(/sizes\.ppo/);
  });
});
