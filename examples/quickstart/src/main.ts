import { runQuickstart } from './quickstart';

const started = performance.now();
const result = await runQuickstart();
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (!result.greedyMatches || !(result.lossAfter < result.lossBefore)) process.exit(1);
