//! # concord-ingest: from input paths to articles (or rejection records)
//!
//! This crate is the front door of concord: it finds input files and reads each into
//! [`concord_core::Article`]s, or into [`Rejected`] records when the input is bad. Nothing is
//! ever dropped silently and nothing bad in one input stops a run.
//!
//! Two steps, which the pipeline calls in this order:
//!
//! - [`discover`] resolves files, folders (recursive, sorted by path bytes; hidden entries,
//!   unsupported extensions and documentation files such as `README.md` skipped) and globs
//!   into [`InputFile`]s, each with a stable id stem ([`InputFile::id_base`]). A path that
//!   does not exist, or a folder or glob with no supported file, is an [`IngestError`]
//!   reported before any work starts.
//! - [`read_file`] streams the [`Articles`] of one file: an iterator of
//!   `Result<Article, Rejected>`. JSONL (also gzipped) is read line by line, never whole.
//!
//! Formats ([`Format`], chosen by extension unless [`InputOptions::format`] forces one):
//! plain text (`.txt`; a leading Jekyll-style `---` front matter block is recognised), Markdown
//! (`.md`, `.markdown`) with YAML (`---`) or TOML (`+++`) front matter, JSON (`.json`: one
//! article object or an array of them), JSONL (`.jsonl`, `.ndjson`: one object a line), each
//! optionally gzip-compressed (`.gz`, or detected by its magic bytes). JSON field names are
//! mapped by [`FieldMap`] (plain names or JSON pointers). The body of a text or Markdown
//! file is its text after any front matter, byte for byte, and `source.body_offset` says
//! where it starts in the file.
//!
//! Main types: [`InputOptions`] (the `[input]` config section), [`InputFile`], [`Articles`],
//! [`Rejected`], [`IngestError`].
//!
//! Ids are stable (the same input gives the same id whatever the processing order): the
//! file's path relative to the folder or glob it was found under, without extensions (so
//! `seeds/000_x.txt` found via `seeds` is `000_x`); JSONL lines use their id field, else
//! `{id_base}:{line}`; JSON array elements their id field, else `{id_base}#{index}`.
//!
//! ```
//! use concord_ingest::{discover, read_file, InputOptions};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("a.md"), "---\ntitle: \"Summit ends\"\noutlet: Wire\n---\nNo deal was reached.\n").unwrap();
//! std::fs::write(dir.path().join("b.jsonl"), "{\"text\": \"Talks ended.\", \"source\": \"Daily\"}\n\n{\"text\": 3}\n").unwrap();
//!
//! let files = discover(&[dir.path().to_path_buf()]).unwrap();
//! let opts = InputOptions::default();
//! let results: Vec<_> = files.iter().flat_map(|f| read_file(f, &opts)).collect();
//!
//! let a = results[0].as_ref().unwrap();
//! assert_eq!((a.id.as_str(), a.outlet.as_str(), a.title.as_deref()), ("a", "Wire", Some("Summit ends")));
//! assert_eq!(a.body, "No deal was reached.\n");
//! let b = results[1].as_ref().unwrap();
//! assert_eq!((b.id.as_str(), b.outlet.as_str(), b.source.line), ("b:1", "Daily", Some(1)));
//! let bad = results[2].as_ref().unwrap_err(); // the blank line 2 was skipped, line 3 is rejected
//! assert_eq!((bad.id.as_str(), bad.line), ("b:3", Some(3)));
//! assert!(bad.reason.contains("not a string"));
//! ```
//!
//! Deliberately not here: cleaning or segmenting text (concord-normalize), de-duplicating
//! articles or ids across files (the pipeline sees all of them), HTML extraction, fetching
//! URLs, and guessing a title from the first line of plain text.
#![deny(missing_docs)]

mod discover;
mod frontmatter;
mod json;
mod jsonl;
mod read;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use discover::discover;
pub use read::{read_file, Articles};

/// Default for [`InputOptions::max_file_bytes`]: 64 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The `[input]` section of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputOptions {
    /// Files, folders and globs to read (the pipeline resolves them relative to the config).
    pub paths: Vec<String>,
    /// Input format: `auto` (by extension, the default), `txt`, `md`, `json` or `jsonl`.
    pub format: Format,
    /// Outlet for articles whose metadata names none (else the file name is used).
    pub outlet: Option<String>,
    /// Field names of JSON and JSONL articles.
    pub fields: FieldMap,
    /// Size limit in bytes (decompressed): larger whole files are rejected; for JSONL the limit
    /// applies to each line. Default 64 MiB.
    pub max_file_bytes: u64,
    /// What to do with invalid UTF-8: `lossy` (default: decode with U+FFFD and add a warning)
    /// or `reject`.
    pub invalid_utf8: Utf8Policy,
    /// When set, a JSON text field that is an array of strings (paragraphs or sentences, as
    /// some corpora store them) is joined with this separator (e.g. `"\n\n"`); by default
    /// (`None`) a non-string text field is rejected.
    pub text_join: Option<String>,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            paths: Vec::new(),
            format: Format::Auto,
            outlet: None,
            fields: FieldMap::default(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            invalid_utf8: Utf8Policy::Lossy,
            text_join: None,
        }
    }
}

/// Input format of a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Chosen by extension (`.txt`, `.md`/`.markdown`, `.json`, `.jsonl`/`.ndjson`, each
    /// optionally `.gz`); a directly named file of another extension is read as text.
    #[default]
    Auto,
    /// Plain text (a leading `---` front matter block is recognised when well formed).
    Txt,
    /// Markdown with optional YAML (`---`) or TOML (`+++`) front matter.
    Md,
    /// One JSON article object, or an array of them.
    Json,
    /// One JSON article object a line.
    Jsonl,
}

impl Format {
    /// The name used in configs and in `source.format`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Txt => "txt",
            Format::Md => "md",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }

    /// The format an extension (without dot, any case) stands for, if supported.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" => Some(Format::Txt),
            "md" | "markdown" => Some(Format::Md),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }

    /// The format of a file name by its extensions, and whether it ends in `.gz`; `None` when
    /// the extension is not supported.
    pub fn detect(file_name: &str) -> Option<(Format, bool)> {
        let (rest, gz) = discover::strip_gz(file_name);
        let ext = rest.rsplit_once('.')?.1;
        Format::from_extension(ext).map(|f| (f, gz))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do with input that is not valid UTF-8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Utf8Policy {
    /// Decode lossily (invalid bytes become U+FFFD) and add a warning to the article.
    #[default]
    Lossy,
    /// Reject the file (or the JSONL line).
    Reject,
}

/// Field names of JSON and JSONL articles. A name starting with `/` is a JSON pointer
/// (`/meta/title`) into nested objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FieldMap {
    /// The body text (required, a string). Default `text`.
    pub text: String,
    /// The title. Default `title`.
    pub title: String,
    /// The outlet (publisher). Default `source`.
    pub source: String,
    /// The URL. Default `url`.
    pub url: String,
    /// The publication date. Default `date`.
    pub date: String,
    /// The article id (strings and numbers are used as they read). Default `id`.
    pub id: String,
    /// The author (a string, or a list joined with `, `). Default `author`.
    pub author: String,
    /// Tags (a list of strings, or one comma-separated string). Default `tags`.
    pub tags: String,
    /// Excerpt or summary. Default `excerpt`.
    pub excerpt: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            text: "text".into(),
            title: "title".into(),
            source: "source".into(),
            url: "url".into(),
            date: "date".into(),
            id: "id".into(),
            author: "author".into(),
            tags: "tags".into(),
            excerpt: "excerpt".into(),
        }
    }
}

/// One input file to read, as [`discover`] found it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InputFile {
    /// The file's path (as found: relative paths stay relative).
    pub path: PathBuf,
    /// Stable id stem: the path relative to the folder or glob base it was found under (or the
    /// file stem when named directly), extensions removed, `/` separators.
    pub id_base: String,
}

impl InputFile {
    /// An input file named directly: its id stem is the file name without extensions.
    pub fn new(path: impl Into<PathBuf>) -> InputFile {
        let path = path.into();
        let id_base = discover::direct_id_base(&path);
        InputFile { path, id_base }
    }
}

/// An input item that could not be read as an article: a record, never an abort.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// The id the article would have had.
    pub id: String,
    /// The input file's path.
    pub path: String,
    /// 1-based line, for line-oriented inputs and front matter errors.
    pub line: Option<u64>,
    /// Why it was rejected.
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {} ({})", self.path, line, self.reason, self.id),
            None => write!(f, "{}: {} ({})", self.path, self.reason, self.id),
        }
    }
}

impl std::error::Error for Rejected {}

/// A problem with the input paths themselves, found before any article is read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A named input path does not exist (and is not a glob).
    #[error("input path not found: {}", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A glob pattern that does not parse.
    #[error("bad glob pattern `{pattern}`: {source}")]
    BadGlob {
        /// The pattern as given.
        pattern: String,
        /// The parse error.
        #[source]
        source: glob::PatternError,
    },
    /// A glob that matches no supported input file.
    #[error("glob `{pattern}` matches no supported input file (.txt, .md, .markdown, .json, .jsonl, .ndjson, optionally .gz)")]
    NoMatch {
        /// The pattern as given.
        pattern: String,
    },
    /// A folder that holds no supported input file.
    #[error("folder {} holds no supported input file (.txt, .md, .markdown, .json, .jsonl, .ndjson, optionally .gz)", path.display())]
    EmptyFolder {
        /// The folder as given.
        path: PathBuf,
    },
    /// A named path that cannot be examined or listed.
    #[error("cannot read input path {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl IngestError {
    /// The path or pattern the error is about.
    pub fn path(&self) -> String {
        match self {
            IngestError::NotFound { path } | IngestError::EmptyFolder { path } | IngestError::Io { path, .. } => {
                path.display().to_string()
            }
            IngestError::BadGlob { pattern, .. } | IngestError::NoMatch { pattern } => pattern.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_deserialize_with_defaults_and_reject_unknown_fields() {
        let opts: InputOptions =
            toml::from_str("paths = [\"seeds\"]\nformat = \"jsonl\"\n[fields]\ntext = \"body\"\n").unwrap();
        assert_eq!(opts.paths, vec!["seeds".to_string()]);
        assert_eq!(opts.format, Format::Jsonl);
        assert_eq!(opts.fields.text, "body");
        assert_eq!(opts.fields.title, "title");
        assert_eq!(opts.max_file_bytes, DEFAULT_MAX_FILE_BYTES);
        assert_eq!(opts.invalid_utf8, Utf8Policy::Lossy);
        let err = toml::from_str::<InputOptions>("pathz = []").unwrap_err().to_string();
        assert!(err.contains("pathz"), "{err}");
        let err = toml::from_str::<InputOptions>("format = \"xml\"").unwrap_err().to_string();
        assert!(err.contains("xml"), "{err}");
        let opts: InputOptions = toml::from_str("invalid_utf8 = \"reject\"").unwrap();
        assert_eq!(opts.invalid_utf8, Utf8Policy::Reject);
    }

    #[test]
    fn readers_can_move_across_threads() {
        fn send<T: Send>() {}
        send::<Articles>();
        send::<Rejected>();
        send::<IngestError>();
    }

    #[test]
    fn format_detection() {
        assert_eq!(Format::detect("a.txt"), Some((Format::Txt, false)));
        assert_eq!(Format::detect("a.b.MD"), Some((Format::Md, false)));
        assert_eq!(Format::detect("x.markdown"), Some((Format::Md, false)));
        assert_eq!(Format::detect("x.json.gz"), Some((Format::Json, true)));
        assert_eq!(Format::detect("x.ndjson.GZ"), Some((Format::Jsonl, true)));
        assert_eq!(Format::detect("x.gz"), None);
        assert_eq!(Format::detect("x.csv"), None);
        assert_eq!(Format::detect("README"), None);
    }

    #[test]
    fn rejected_displays_location() {
        let r = Rejected { id: "a:3".into(), path: "a.jsonl".into(), line: Some(3), reason: "bad".into() };
        assert_eq!(r.to_string(), "a.jsonl:3: bad (a:3)");
    }
}
