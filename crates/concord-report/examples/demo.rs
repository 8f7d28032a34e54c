//! Writes every report format for the test corpus (four outlets, a hostile article) into a
//! folder, for looking at the HTML: `cargo run -p concord-report --example demo -- /tmp/demo`.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "demo-out".into());
    let written =
        concord_report::write_reports(&common::corpus(true), &Default::default(), std::path::Path::new(&dir))?;
    for p in written {
        println!("{}", p.display());
    }
    Ok(())
}
