//! Rows for the dated records in `tests/bench/records/`. When `AIGUARD_BENCH_RECORD` names a
//! file (`scripts/bench.sh` sets it), each figure measured is appended to it as the CSV columns
//! `workload,input,tool,metric,low,high,unit`; bench.sh prefixes the run's date, commit and
//! machine and adds the rows to the records. Without it nothing is written.

use std::fmt::Display;
use std::io::Write;

/// One figure of this run: `low` and `high` are both the value measured.
pub fn record(workload: &str, input: &str, tool: &str, metric: &str, value: impl Display, unit: &str) {
    let Some(path) = std::env::var_os("AIGUARD_BENCH_RECORD") else { return };
    let value = value.to_string();
    let row = [workload, input, tool, metric, &value, &value, unit].map(field).join(",");
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("open the bench record file");
    writeln!(file, "{row}").expect("write to the bench record file");
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
