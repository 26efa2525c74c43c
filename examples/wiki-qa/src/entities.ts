import { Rng } from '@trl/core';
import { drawOne, seededShuffle } from '@trl/example-kit/random';
import type { PassageRecord } from '@trl/tools-wiki';

/** Draws questions from a pool with replacement. */
export { drawWithReplacement as sampleFrom } from '@trl/example-kit/random';

/**
 * Syllables of the made-up names. Names and cities are drawn from the same pieces, so the tokenizer
 * learned on training names splits a held-out name into pieces the model has seen, and copying a
 * name is copying a few known tokens.
 */
export const SYLLABLES: readonly string[] = [
  'zor',
  'vath',
  'kel',
  'mi',
  'ra',
  'quen',
  'lor',
  'bra',
  'thi',
  'dun',
  'sa',
  'vel',
  'mor',
  'tan',
  'ix',
  'ul',
  'ga',
  'rin',
  'oth',
  'pel',
  'no',
  'fen',
  'dra',
  'ky',
  'lum',
  'es',
  'tor',
  'wyn',
];

/** Occupations (all start with a consonant, so `a job as a …` reads right). */
export const JOBS: readonly string[] = [
  'potter',
  'weaver',
  'sailor',
  'baker',
  'painter',
  'miller',
  'poet',
  'smith',
  'healer',
  'mason',
  'scribe',
  'farmer',
];

/** Birth years are drawn from this range (inclusive). */
export const YEAR_RANGE: readonly [number, number] = [1700, 1999];

/** Number of distinct birthplaces; every entity is born in one of them. */
export const CITY_COUNT = 30;

/** A made-up person and the facts the corpus tells about them. */
export interface Entity {
  name: string;
  city: string;
  year: number;
  job: string;
}

/** What a question asks about an entity. */
export type QuestionKindName = 'place' | 'year' | 'job';

/** How one kind of question is asked, answered, and stated in the corpus. */
export interface QuestionKind {
  kind: QuestionKindName;
  keyword: string;
  question: (name: string) => string;
  answer: (entity: Entity) => string;
  paragraph: (entity: Entity) => string;
}

/**
 * A question about one entity, with the exact answer string, the keyword a search adds to the name
 * and the paragraph that answers it.
 */
export interface Question {
  entity: Entity;
  kind: QuestionKindName;
  keyword: string;
  question: string;
  answer: string;
  paragraph: string;
}

/**
 * The three questions asked about every entity: the question, the fact that answers it, the
 * paragraph of the entity's article that states the fact (the answer is its last word), and the
 * keyword of that paragraph a search needs besides the name to get that paragraph first.
 */
export const QUESTION_KINDS: readonly QuestionKind[] = [
  {
    kind: 'place',
    keyword: 'city',
    question: (name) => `Where was ${name} born?`,
    answer: (e) => e.city,
    paragraph: (e) => `${e.name} was born in the city of ${e.city}.`,
  },
  {
    kind: 'year',
    keyword: 'year',
    question: (name) => `When was ${name} born?`,
    answer: (e) => String(e.year),
    paragraph: (e) => `${e.name} was born in the year ${e.year}.`,
  },
  {
    kind: 'job',
    keyword: 'job',
    question: (name) => `What was ${name}'s job?`,
    answer: (e) => e.job,
    paragraph: (e) => `${e.name} had a job as a ${e.job}.`,
  },
];

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A name of 2 or 3 syllables, capitalized (`Zorvath`, `Kelmira`). */
function drawName(rng: Rng): string {
  const count = 2 + rng.nextInt(2);
  let word = '';
  for (let i = 0; i < count; i++) word += drawOne(SYLLABLES, rng);
  return capitalize(word);
}

/** Draws `count` distinct names that are not in `taken` (and adds them to it). */
function drawDistinctNames(count: number, rng: Rng, taken: Set<string>): string[] {
  const names: string[] = [];
  let attempts = 0;
  while (names.length < count) {
    if (++attempts > count * 100)
      throw new Error(`drawDistinctNames: could not find ${count} distinct names.`);
    const name = drawName(rng);
    if (taken.has(name)) continue;
    taken.add(name);
    names.push(name);
  }
  return names;
}

/**
 * The world of the example: `CITY_COUNT` cities and `count` entities with distinct names (never a
 * city's name), each born in a random city and year with a random job. Deterministic per seed.
 */
export function generateWorld(count: number, seed: number): { cities: string[]; entities: Entity[] } {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`generateWorld: count must be a positive integer, got ${count}.`);
  const rng = new Rng(seed);
  const taken = new Set<string>();
  const cities = drawDistinctNames(CITY_COUNT, rng, taken);
  const names = drawDistinctNames(count, rng, taken);
  const [firstYear, lastYear] = YEAR_RANGE;
  const entities = names.map((name) => ({
    name,
    city: drawOne(cities, rng),
    year: firstYear + rng.nextInt(lastYear - firstYear + 1),
    job: drawOne(JOBS, rng),
  }));
  return { cities, entities };
}

/** The encyclopedia article about an entity, one paragraph per fact: the only place its facts are written. */
export function entityArticle(entity: Entity): string[] {
  return QUESTION_KINDS.map(({ paragraph }) => paragraph(entity));
}

/** The search corpus: one article per entity, titled with its name, each paragraph one passage. */
export function corpusPassages(entities: readonly Entity[]): PassageRecord[] {
  return entities.flatMap((entity, i) =>
    entityArticle(entity).map((text, paragraph) => ({
      id: `${i}#${paragraph}`,
      articleId: String(i),
      title: entity.name,
      text,
    })),
  );
}

/** The three questions about `entity`. */
export function entityQuestions(entity: Entity): Question[] {
  return QUESTION_KINDS.map(({ kind, keyword, question, answer, paragraph }) => ({
    entity,
    kind,
    keyword,
    question: question(entity.name),
    answer: answer(entity),
    paragraph: paragraph(entity),
  }));
}

/** Entities per group of {@link splitWorld}. */
export interface WorldSizes {
  sft: number;
  ppo: number;
  test: number;
}

/** The generated world and its questions, split into the three groups. */
export interface World {
  cities: string[];
  entities: Entity[];
  sft: Question[];
  ppo: Question[];
  test: Question[];
}

/**
 * Generates the world and splits its entities by a seeded shuffle into three disjoint groups:
 * `sft` (the warm start's transcripts), `ppo` (PPO's prompts; never seen in SFT, so a memorized
 * answer cannot help) and `test` (held out from both). All of them are in the search corpus.
 * `sizes`: entities per group.
 */
export function splitWorld(sizes: WorldSizes, seed: number): World {
  for (const field of ['sft', 'ppo', 'test'] as const) {
    if (!Number.isInteger(sizes?.[field]) || sizes[field] < 1)
      throw new Error(`splitWorld: sizes.${field} must be a positive integer, got ${sizes?.[field]}.`);
  }
  const { cities, entities } = generateWorld(sizes.sft + sizes.ppo + sizes.test, seed);
  const shuffled = seededShuffle(entities, new Rng(seed + 1));
  const test = shuffled.slice(0, sizes.test);
  const ppo = shuffled.slice(sizes.test, sizes.test + sizes.ppo);
  const sft = shuffled.slice(sizes.test + sizes.ppo);
  return {
    cities,
    entities,
    sft: sft.flatMap(entityQuestions),
    ppo: ppo.flatMap(entityQuestions),
    test: test.flatMap(entityQuestions),
  };
}
