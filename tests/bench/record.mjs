// Rows for the dated records in tests/bench/records/. When AIGUARD_BENCH_RECORD names a file
// (scripts/bench.sh sets it), each figure measured is appended to it as the CSV columns
// workload,input,tool,metric,low,high,unit; bench.sh prefixes the run's date, commit and machine
// and adds the rows to the records. Without it nothing is written.
import { appendFileSync } from 'node:fs';

const file = process.env.AIGUARD_BENCH_RECORD;

// A CSV field, quoted when it holds a comma, a quote or a line break.
const field = (s) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

// One figure of this run: low and high are both the value measured.
export function record(workload, input, tool, metric, value, unit) {
  if (!file) return;
  const row = [workload, input, tool, metric, value, value, unit].map((x) => field(String(x)));
  appendFileSync(file, `${row.join(',')}\n`);
}

// The wasm engine measured: the shipped build, unless AIGUARD_WASM_DIR points at another one.
export const WASM_TOOL = process.env.AIGUARD_WASM_DIR ? 'AIGuard wasm (build in AIGUARD_WASM_DIR)' : 'AIGuard wasm';
