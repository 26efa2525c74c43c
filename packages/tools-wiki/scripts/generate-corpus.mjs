#!/usr/bin/env node
// Generates test/fixtures/corpus.jsonl: a small encyclopedia of FICTIONAL entities (rivers,
// mountains, cities, islands, lakes, people) with invented facts. Deterministic — the same seed
// always writes the same bytes — so tests can rely on its content and there is no licence to
// track: every name and fact is made up here.
//
//   node scripts/generate-corpus.mjs [--out test/fixtures/corpus.jsonl] [--count 500] [--seed 7]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i += 1) {
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[i + 1];
}
const here = dirname(fileURLToPath(import.meta.url));
const out = args.out ?? join(here, '..', 'test', 'fixtures', 'corpus.jsonl');
const count = Number(args.count ?? 500);
const seed = Number(args.seed ?? 7);

// mulberry32: a tiny seeded PRNG, enough for reproducible fiction.
function rng(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (items) => items[Math.floor(random() * items.length)];

const onsets = [
  'b',
  'd',
  'f',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'th',
  'dr',
  'kr',
  'st',
  'br',
  'qu',
  'sh',
];
const vowels = ['a', 'e', 'i', 'o', 'u', 'ae', 'ia', 'ou', 'y'];
const codas = ['', '', 'n', 'r', 'l', 's', 'th', 'x', 'k', 'm', 'nd', 'rk'];
const used = new Set();
function word(syllables) {
  let text = '';
  for (let i = 0; i < syllables; i += 1)
    text += pick(onsets) + pick(vowels) + (i === syllables - 1 ? pick(codas) : '');
  return text[0].toUpperCase() + text.slice(1);
}
function uniqueName(parts) {
  for (;;) {
    const name = Array.from({ length: parts }, () => word(int(2, 3))).join(' ');
    const key = name.toLowerCase();
    if (!used.has(key) && !name.split(' ').some((w) => used.has(w.toLowerCase()))) {
      used.add(key);
      for (const w of name.split(' ')) used.add(w.toLowerCase());
      return name;
    }
  }
}

const countries = Array.from({ length: 12 }, () => uniqueName(1));
const seas = Array.from({ length: 6 }, () => `${uniqueName(1)} Sea`);
const ranges = Array.from({ length: 8 }, () => `${uniqueName(1)} Range`);
const fields = [
  'astronomy',
  'botany',
  'cartography',
  'chemistry',
  'linguistics',
  'music',
  'architecture',
  'medicine',
];
const fish = ['silver trout', 'river eel', 'striped perch', 'blue carp', 'spotted pike'];
const crops = ['barley', 'saffron', 'olives', 'rice', 'flax', 'grapes'];
const industries = ['glassmaking', 'shipbuilding', 'weaving', 'copper mining', 'printing', 'clockmaking'];

const kinds = ['river', 'mountain', 'city', 'island', 'lake', 'person'];
const rows = [];
const cities = [];
for (let i = 0; i < count; i += 1) {
  const kind = kinds[i % kinds.length];
  const name = uniqueName(2);
  const country = pick(countries);
  let paragraphs;
  if (kind === 'river') {
    const length = int(40, 2900);
    paragraphs = [
      `${name} is a river in ${country}. Its length is ${length} km, and it flows into the ${pick(seas)}.`,
      `The river rises in the ${pick(ranges)} at an elevation of ${int(300, 4200)} metres. Its basin covers ${int(900, 90000)} square kilometres.`,
      `The ${name} is known for its ${pick(fish)}, and its valley is farmed for ${pick(crops)}.`,
    ];
  } else if (kind === 'mountain') {
    paragraphs = [
      `${name} is a mountain in the ${pick(ranges)} of ${country}. Its summit stands ${int(900, 8700)} metres above sea level.`,
      `The first recorded ascent of ${name} was made in ${int(1780, 1990)} by a party of ${int(2, 9)} climbers.`,
    ];
  } else if (kind === 'city') {
    cities.push(name);
    paragraphs = [
      `${name} is a city in ${country} with a population of ${int(5, 2500) * 1000} people. It was founded in ${int(800, 1900)}.`,
      `The economy of ${name} is based on ${pick(industries)}. The city hosts a festival every ${pick(['spring', 'summer', 'autumn', 'winter'])}.`,
      `${name} is the seat of the ${uniqueName(1)} University, founded in ${int(1500, 1990)}.`,
    ];
  } else if (kind === 'island') {
    paragraphs = [
      `${name} is an island in the ${pick(seas)}, governed by ${country}. It has an area of ${int(2, 9000)} square kilometres.`,
      `About ${int(100, 90000)} people live on ${name}; its main harbour is at ${uniqueName(1)} Bay.`,
    ];
  } else if (kind === 'lake') {
    paragraphs = [
      `${name} is a lake in ${country}. It has a surface area of ${int(3, 3000)} square kilometres and a maximum depth of ${int(5, 900)} metres.`,
      `The lake is fed by ${int(2, 30)} streams and drains through a single outlet to the ${pick(seas)}.`,
    ];
  } else {
    const born = int(1600, 1980);
    paragraphs = [
      `${name} was a scholar of ${pick(fields)} from ${country}, born in ${born}${cities.length > 0 ? ` in ${pick(cities)}` : ''}.`,
      `${name} is best known for the ${uniqueName(1)} Treatise, published in ${born + int(20, 50)}, and died in ${born + int(51, 95)}.`,
    ];
  }
  rows.push({ id: String(i + 1), title: name, text: paragraphs.join('\n\n') });
}

writeFileSync(out, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
process.stderr.write(`wrote ${rows.length} articles to ${out}\n`);
