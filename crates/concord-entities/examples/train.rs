//! Trains the entity model on CoNLL-2003 and writes it, then scores it on a dev file.
//!
//! ```text
//! cargo run --release -p concord-entities --example train -- \
//!     ../shared/data/conll2003-en/train.txt crates/concord-entities/model/ner.bin.gz [valid.txt] 8
//! ```
use std::path::Path;
use std::process::ExitCode;

use concord_entities::{eval, EntityOptions, Gazetteer, Tagger};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: train TRAIN.txt OUT.bin.gz [DEV.txt] [EPOCHS]");
        return ExitCode::from(2);
    }
    let epochs = args.get(3).and_then(|e| e.parse().ok()).unwrap_or(6);
    let t = std::time::Instant::now();
    let model = match eval::train(Path::new(&args[0]), epochs) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("trained in {:.1}s ({epochs} epochs)", t.elapsed().as_secs_f64());
    let bytes = match model.to_bytes() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&args[1], &bytes) {
        eprintln!("error: {}: {e}", args[1]);
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} ({} bytes)", args[1], bytes.len());
    if let Some(dev) = args.get(2) {
        let matcher = match Gazetteer::builtin().compile() {
            Ok(m) => m,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let discovery = EntityOptions::default().discovery;
        for (label, model, disc) in [
            ("gazetteer + model (no discovery)", Some(model.clone()), false),
            ("default (gazetteer + discovery + model)", Some(model), discovery),
        ] {
            let tagger = Tagger::from_parts(matcher.clone(), model, disc);
            match eval::conll_with(&tagger, Path::new(dev), None) {
                Ok(r) => println!("== {label}\n{r}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
