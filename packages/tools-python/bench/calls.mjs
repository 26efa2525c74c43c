// Calls per second of the PythonInterpreter tool, from the built package (run `pnpm build` first):
//   node packages/tools-python/bench/calls.mjs      (BENCH_SECONDS=3 per case by default)
// Prints one JSON line per case: {"bench":"tools-python","mode":...,"case":...,"calls_per_s":...}.
// `fresh` is the default (the clean interpreter state is restored after every call); `session`
// keeps state between calls, so the difference between the two is the cost of the restore.
const { PythonInterpreter } = await import('../dist/index.js').catch(() => {
  console.error(
    'bench/calls.mjs imports the built package: run `pnpm --filter @trl/tools-python build` first',
  );
  process.exit(1);
});

const CASES = {
  print: 'print("hello")',
  loop_1e5: 's = 0\nfor i in range(100_000):\n    s += i\nprint(s)',
};
const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 3);

async function measure(tool, mode, name, code) {
  const signal = new AbortController().signal;
  await tool.call(code, { signal }); // warm-up
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS_PER_CASE * 1000) {
    await tool.call(code, { signal });
    calls++;
  }
  const seconds = (performance.now() - start) / 1000;
  const line = {
    bench: 'tools-python',
    mode,
    case: name,
    calls_per_s: Number((calls / seconds).toFixed(2)),
  };
  console.log(JSON.stringify(line));
}

for (const [mode, options] of [
  ['fresh', {}],
  ['session', { session: true }],
]) {
  const tool = new PythonInterpreter(options);
  try {
    const startedAt = performance.now();
    await tool.ready();
    const readyMs = Math.round(performance.now() - startedAt);
    console.log(JSON.stringify({ bench: 'tools-python', mode, case: 'ready', ms: readyMs }));
    for (const [name, code] of Object.entries(CASES)) await measure(tool, mode, name, code);
  } finally {
    await tool.close();
  }
}
