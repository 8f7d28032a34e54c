//! Scores the default tagger on a CoNLL-2003 file, writes predictions, and re-scores them.
//!
//! ```text
//! cargo run --release -p concord-entities --example eval_ner -- ../shared/data/conll2003-en/valid.txt /tmp/pred.txt
//! ```
use std::path::Path;
use std::process::ExitCode;

use concord_entities::eval;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(input) = args.first() else {
        eprintln!("usage: eval_ner CONLL.txt [PREDICTIONS.txt]");
        return ExitCode::from(2);
    };
    let pred = args.get(1).map(Path::new);
    match eval::conll(Path::new(input), pred) {
        Ok(r) => println!("{r}"),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    if let Some(p) = pred {
        match eval::score_predictions(p) {
            Ok(r) => println!("re-scored from {}:\n{r}", p.display()),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
