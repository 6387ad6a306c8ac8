//! `cargo run -p xtask -- bindgen IN.wasm OUT_DIR`
//!
//! Runs wasm-bindgen as a library. Cargo.lock pins it to the same version as the `wasm-bindgen`
//! crate the bindings are compiled with, which the generated glue requires; a separately
//! installed CLI drifts.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, input, out_dir] if cmd == "bindgen" => {
            let result = wasm_bindgen_cli_support::Bindgen::new()
                .input_path(input)
                .web(true)
                .and_then(|b| b.typescript(false).debug(false).keep_debug(false).remove_name_section(true).remove_producers_section(true).generate(out_dir));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("xtask bindgen: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cargo run -p xtask -- bindgen IN.wasm OUT_DIR");
            ExitCode::from(2)
        }
    }
}
