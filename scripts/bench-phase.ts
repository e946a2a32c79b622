// The benchmark's measured child process (`npm run bench` runs it once per pass): it loads only what one pass
// needs, so the start-up that its wall time includes is the engine's, not the benchmark harness's.
import { RESULT_TAG, runPhase, type PhaseName } from './bench/phases';

const [phase, file] = process.argv.slice(2);
console.log(RESULT_TAG + JSON.stringify(runPhase(phase as PhaseName, file)));
