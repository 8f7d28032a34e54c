//! Prints the segmenter's scores: `cargo run -p concord-normalize --example eval_segment [DATA_DIR]`.

use std::path::PathBuf;

fn main() {
    let data = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let golden = data.join("golden-rules-en/golden_rules_en.json");
    match concord_normalize::eval::golden_rules(&golden) {
        Ok(r) => print!("{r}"),
        Err(e) => println!("skipped golden rules: {e}"),
    }
    match concord_normalize::eval::basil(&data.join("basil/articles")) {
        Ok(r) => print!("{r}"),
        Err(e) => println!("skipped basil: {e}"),
    }
}
