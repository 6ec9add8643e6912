// Shared with the benchmarks (scripts/lib is compiled with them); the tests import it from here.
export { waitFor } from '../../scripts/lib/wait.js';
