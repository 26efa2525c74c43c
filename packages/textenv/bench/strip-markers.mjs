// Times marker stripping of adversarial tool answers (markers nested inside each other, split in
// half around the next one), for the linear stripper and for the split-and-repeat loop it replaced.
// Prints one JSON line per measurement. Usage:
//   node bench/strip-markers.mjs [--sizes 25000,50000,100000,200000,800000] [--old-max 200000]
// The old loop is quadratic (about 170 s at 800 KB), so by default it only runs up to --old-max
// characters; pass --old-max 800000 to measure it at 800 KB too.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sanitizeToolAnswer, stripMarkers } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '25000,50000,100000,200000,800000' },
    'old-max': { type: 'string', default: '200000' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const oldMax = Number(values['old-max']);
const MARKERS = ['<request>', '<call>', '<response>', '<submit>', '<|endoftext|>'];

function oldStripMarkers(text, markers) {
  let previous;
  do {
    previous = text;
    for (const marker of markers) text = text.split(marker).join('');
  } while (text !== previous);
  return text;
}

function adversarial(chars) {
  const opens = [];
  const closes = [];
  for (let level = 0, length = 0; length < chars; level++) {
    const marker = MARKERS[level % MARKERS.length];
    opens.push(marker.slice(0, 3));
    closes.push(marker.slice(3));
    length += marker.length;
  }
  return `${opens.join('')}${closes.reverse().join('')}tail`;
}

function time(run, repeats) {
  let best = Number.POSITIVE_INFINITY;
  let result;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    result = run();
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, result };
}

for (const size of sizes) {
  const text = adversarial(size);
  const linear = time(() => stripMarkers(text, MARKERS), 5);
  if (linear.result !== 'tail') throw new Error('linear stripper gave a wrong result');
  const base = { bench: 'strip-markers', chars: text.length };
  console.log(JSON.stringify({ ...base, impl: 'linear', ms: Number(linear.ms.toFixed(2)) }));
  const bounded = time(() => sanitizeToolAnswer(text, MARKERS, 100), 5);
  console.log(
    JSON.stringify({ ...base, impl: 'sanitizeToolAnswer(max 100)', ms: Number(bounded.ms.toFixed(3)) }),
  );
  if (size <= oldMax) {
    const old = time(() => oldStripMarkers(text, MARKERS), 1);
    if (old.result !== 'tail') throw new Error('old stripper gave a wrong result');
    console.log(JSON.stringify({ ...base, impl: 'old split-and-repeat', ms: Number(old.ms.toFixed(1)) }));
  }
}
