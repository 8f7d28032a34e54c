//! Runs both evaluations: `cargo run -p concord-claims --example eval [DATA_DIR] [threshold]`.
use std::path::PathBuf;

fn main() {
    let data = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let mut opts = concord_claims::ClaimOptions::default();
    // Optional second argument: TOML overrides, e.g. "threshold = 0.6\nname_veto = 1".
    if let Some(t) = std::env::args().nth(2) {
        match toml::from_str(&t.replace(';', "\n")) {
            Ok(o) => opts = o,
            Err(e) => {
                eprintln!("bad options: {e}");
                std::process::exit(2);
            }
        }
    }
    let mrpc = data.join("mrpc/msr_paraphrase_train.txt");
    // CONCORD_PREDICTIONS=path writes one line per MRPC pair (ids, gold, predicted, similarity).
    let predictions = std::env::var_os("CONCORD_PREDICTIONS").map(PathBuf::from);
    match concord_claims::eval::mrpc(&mrpc, predictions.as_deref(), &opts) {
        Ok(r) => println!("MRPC (threshold {}):\n{r}\n", opts.threshold),
        Err(e) => println!("skipped MRPC: {e}"),
    }
    match concord_claims::eval::basil_quotes(&data.join("basil"), &opts) {
        Ok(r) => println!("BASIL:\n{r}"),
        Err(e) => println!("skipped BASIL: {e}"),
    }
}
