import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { FULL_CONFIG } from '../src/config.mjs';
import {
  CITY_COUNT,
  corpusPassages,
  entityPassage,
  entityQuestions,
  generateWorld,
  JOBS,
  sampleFrom,
  splitWorld,
} from '../src/entities.mjs';
import { createWikiTool, lookUpAll, tokenizerCorpus, toolQuery } from '../src/protocol.mjs';

const entity = { name: 'Zorvath', city: 'Kelmira', year: 1843, job: 'potter' };

describe('entity generator', () => {
  it('writes one passage and three questions per entity', () => {
    expect(entityPassage(entity)).toBe('Zorvath was born in Kelmira in 1843 and worked as a potter.');
    expect(entityQuestions(entity).map(({ question, answer, kind }) => [kind, question, answer])).toEqual([
      ['place', 'Where was Zorvath born?', 'Kelmira'],
      ['year', 'When was Zorvath born?', '1843'],
      ['job', "What was Zorvath's job?", 'potter'],
    ]);
    expect(corpusPassages([entity])).toEqual([
      { id: '0#0', articleId: '0', title: 'Zorvath', text: entityPassage(entity) },
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

  it('never writes a held-out or PPO name into the SFT text the model and tokenizer learn from', async () => {
    const world = splitWorld(FULL_CONFIG.entities, 0);
    const wiki = createWikiTool(world.entities);
    const words = new Set(
      tokenizerCorpus(world.sft, await lookUpAll(wiki, world.sft)).flatMap(
        (text) => text.match(/\p{L}+/gu) ?? [],
      ),
    );
    expect(words.has(world.sft[0]!.entity.name)).toBe(true);
    for (const q of [...world.test, ...world.ppo]) expect(words.has(q.entity.name)).toBe(false);
    await wiki.close();
  });

  it('answers every held-out question in the passage the search returns for its name', async () => {
    const world = splitWorld(FULL_CONFIG.entities, 0);
    const wiki = createWikiTool(world.entities);
    const { signal } = new AbortController();
    for (const q of world.test) {
      const passage = await wiki.call(toolQuery(q.entity.name), { signal });
      expect(passage).toBe(entityPassage(q.entity));
      expect(passage).toContain(` ${q.answer}`);
    }
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
