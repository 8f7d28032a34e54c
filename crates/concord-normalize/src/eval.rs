//! Scoring the segmenter on public data (what `concord eval segment` prints).
//!
//! - [`golden_rules`]: the English Golden Rules (48 hard cases; a case counts when every
//!   segment matches exactly).
//! - [`basil`]: boundary recall inside paragraphs on BASIL articles (where BASIL splits a
//!   paragraph the split is right; it leaves many paragraphs unsplit, so precision against
//!   it means little and is shown only for information).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::segment::Segmenter;

/// Why an evaluation could not run: a data file that could not be read or parsed.
pub use concord_core::DataError as EvalError;

#[derive(serde::Deserialize)]
struct GoldenCase {
    text: String,
    sentences: Vec<String>,
}

/// One Golden Rules case the segmenter got wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldenFailure {
    /// 1-based case number.
    pub case: usize,
    /// The input.
    pub text: String,
    /// The expected sentences.
    pub expected: Vec<String>,
    /// What the segmenter produced.
    pub got: Vec<String>,
}

/// Score on the Golden Rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoldenReport {
    /// Number of cases.
    pub total: usize,
    /// Cases whose segments all match exactly.
    pub exact: usize,
    /// The other cases.
    pub failures: Vec<GoldenFailure>,
}

impl fmt::Display for GoldenReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "golden rules: {}/{} exact", self.exact, self.total)?;
        for x in &self.failures {
            writeln!(f, "  case {}: {:?}", x.case, x.text)?;
            writeln!(f, "    expected {:?}", x.expected)?;
            writeln!(f, "    got      {:?}", x.got)?;
        }
        Ok(())
    }
}

/// Scores the default segmenter on the Golden Rules file (`golden_rules_en.json`: a list of
/// `{text, sentences}`).
pub fn golden_rules(path: &Path) -> Result<GoldenReport, EvalError> {
    golden_rules_with(path, &Segmenter::default())
}

/// [`golden_rules`] with a given segmenter.
pub fn golden_rules_with(path: &Path, seg: &Segmenter) -> Result<GoldenReport, EvalError> {
    let data = std::fs::read_to_string(path).map_err(|source| EvalError::Io { path: path.into(), source })?;
    let cases: Vec<GoldenCase> = serde_json::from_str(&data)
        .map_err(|e| EvalError::format(path, e.line(), format!("not the expected JSON: {e}")))?;
    let mut report = GoldenReport { total: cases.len(), ..Default::default() };
    for (k, c) in cases.into_iter().enumerate() {
        let got: Vec<String> = seg.segment(&c.text).iter().map(|s| s.slice(&c.text).to_string()).collect();
        let expected: Vec<String> = c.sentences.iter().map(|s| s.trim().to_string()).collect();
        if got == expected {
            report.exact += 1;
        } else {
            report.failures.push(GoldenFailure { case: k + 1, text: c.text, expected, got });
        }
    }
    Ok(report)
}

/// Score on BASIL: boundary recall inside paragraphs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BasilReport {
    /// Articles read.
    pub articles: usize,
    /// Paragraphs read.
    pub paragraphs: usize,
    /// Sentence boundaries inside paragraphs in BASIL.
    pub gold: usize,
    /// Of those, how many the segmenter found.
    pub found: usize,
    /// Boundaries the segmenter put inside paragraphs.
    pub predicted: usize,
    /// Files skipped because they were not usable (path and reason).
    pub skipped: Vec<(PathBuf, String)>,
    /// A few missed boundaries, as `left ‖ right` contexts.
    pub misses: Vec<String>,
}

impl BasilReport {
    /// Boundary recall (1 when there is no gold boundary).
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.found as f64 / self.gold as f64
        }
    }

    /// Precision against BASIL's splits (a lower bound: BASIL leaves many paragraphs unsplit).
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.found as f64 / self.predicted as f64
        }
    }
}

impl fmt::Display for BasilReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "basil: boundary recall {:.4} ({}/{} boundaries inside paragraphs; {} articles, {} paragraphs)",
            self.recall(),
            self.found,
            self.gold,
            self.articles,
            self.paragraphs
        )?;
        writeln!(
            f,
            "  predicted {} boundaries inside paragraphs (precision against BASIL {:.4}, a lower bound: BASIL leaves many paragraphs unsplit)",
            self.predicted,
            self.precision()
        )?;
        for (p, why) in &self.skipped {
            writeln!(f, "  skipped {}: {why}", p.display())?;
        }
        for m in &self.misses {
            writeln!(f, "  missed: {m}")?;
        }
        Ok(())
    }
}

/// Scores the default segmenter on BASIL articles under `dir` (`articles/*/*.json`, any
/// depth): each article's `body-paragraphs` (lists of sentences) is joined, sentences with a
/// space and paragraphs with a blank line, and segmented.
pub fn basil(dir: &Path) -> Result<BasilReport, EvalError> {
    basil_with(dir, &Segmenter::default())
}

/// [`basil`] with a given segmenter.
pub fn basil_with(dir: &Path, seg: &Segmenter) -> Result<BasilReport, EvalError> {
    let mut files = Vec::new();
    collect_json(dir, &mut files)?;
    if files.is_empty() {
        return Err(EvalError::format(dir, 0, "no .json article found"));
    }
    let mut report = BasilReport::default();
    for path in files {
        let data = std::fs::read_to_string(&path).map_err(|source| EvalError::Io { path: path.clone(), source })?;
        let value: serde_json::Value = match serde_json::from_str(&data) {
            Ok(v) => v,
            Err(e) => {
                report.skipped.push((path, e.to_string()));
                continue;
            }
        };
        let Some(paras) = value.get("body-paragraphs").and_then(|v| v.as_array()) else {
            report.skipped.push((path, "no body-paragraphs array".into()));
            continue;
        };
        report.articles += 1;
        let mut text = String::new();
        let mut gold = Vec::new();
        let mut para_starts = Vec::new();
        for p in paras {
            let sents: Vec<&str> = match p.as_array() {
                Some(a) => a.iter().filter_map(|s| s.as_str()).map(str::trim).filter(|s| !s.is_empty()).collect(),
                None => p.as_str().map(str::trim).into_iter().filter(|s| !s.is_empty()).collect(),
            };
            if sents.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            report.paragraphs += 1;
            para_starts.push(text.len());
            for (k, s) in sents.iter().enumerate() {
                if k > 0 {
                    text.push(' ');
                    gold.push(text.len());
                }
                text.push_str(s);
            }
        }
        let pred: Vec<usize> =
            seg.segment(&text).iter().map(|s| s.start).filter(|s| para_starts.binary_search(s).is_err()).collect();
        report.gold += gold.len();
        report.predicted += pred.len();
        for g in gold {
            if pred.binary_search(&g).is_ok() {
                report.found += 1;
            } else if report.misses.len() < 20 {
                let l = crate::rules::prefix(&text[..g], g).chars().rev().take(50).collect::<Vec<_>>();
                let left: String = l.into_iter().rev().collect();
                let right: String = text[g..].chars().take(40).collect();
                report.misses.push(format!("{left} ‖ {right}"));
            }
        }
    }
    Ok(report)
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), EvalError> {
    let rd = std::fs::read_dir(dir).map_err(|source| EvalError::Io { path: dir.into(), source })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}
