//! Config validation: every error at once, located, with the closest valid name.

use crate::util::*;

const GOOD_TAIL: &str = "\n[output]\ndir = \"out\"\n";

#[test]
fn misspelt_stage_kind_names_line_and_closest_kind() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "[input]\npaths = [\"in\"]\n\n[[stages]]\nkind = \"normalise\"\n");
    let o = concord(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("concord.toml:5:8:"), "no file:line:col in {err}");
    assert!(err.contains("unknown stage kind `normalise`"), "{err}");
    assert!(err.contains("did you mean `normalize`?"), "{err}");
    assert!(err.contains("registered kinds: normalize, entities, claims"), "{err}");
}

#[test]
fn all_errors_are_reported_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[input]\npaths = [\"in\"]\nformt = \"txt\"\n\n[runtime]\nthreads = \"many\"\n\n[[stages]]\nkind = \"nromalize\"\n\n[[stages]]\nkind = \"normalize\"\nbogus_option = 1\n{GOOD_TAIL}"
    );
    let cfg = write_config(dir.path(), &text);
    let o = concord(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(
        lines[0].contains("concord.toml:3:1:")
            && lines[0].contains("unknown key `formt`")
            && lines[0].contains("format"),
        "{err}"
    );
    assert!(lines[1].contains("concord.toml:6:11:") && lines[1].contains("threads"), "{err}");
    assert!(lines[2].contains("concord.toml:9:8:") && lines[2].contains("did you mean `normalize`"), "{err}");
    assert!(lines[3].contains("concord.toml:13:1:") && lines[3].contains("bogus_option"), "{err}");
}

#[test]
fn stage_order_is_checked_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        "[input]\npaths = [\"in\"]\n\n[[stages]]\nkind = \"entities\"\n\n[[stages]]\nkind = \"normalize\"\n",
    );
    let o = concord(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("concord.toml:5:8:"), "{err}");
    assert!(err.contains("stage `entities` needs `sentences`"), "{err}");
    assert!(err.contains("add `normalize` before it"), "{err}");
}

#[test]
fn invalid_toml_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "[input]\npaths = [\"in\"\n");
    let o = concord(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("concord.toml:3:1: invalid TOML") && err.contains("expected `]`"), "{err}");
}

#[test]
fn default_config_validates_and_stages_are_listed() {
    let o = concord(&["validate", "config/default.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("normalize → entities → claims"), "{}", stdout(&o));
    let o = concord(&["stages"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for kind in ["normalize", "entities", "claims"] {
        assert!(out.lines().any(|l| l.starts_with(kind)), "{kind} not listed:\n{out}");
    }
    assert!(out.contains("default"), "options with defaults are listed:\n{out}");
}

#[test]
fn missing_input_is_a_usage_error_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "[input]\npaths = [\"nowhere\"]\n\n[[stages]]\nkind = \"normalize\"\n");
    let out = dir.path().join("out");
    let o = concord(&["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nowhere"), "{}", stderr(&o));
    assert!(!out.join("report.json").exists());
}
