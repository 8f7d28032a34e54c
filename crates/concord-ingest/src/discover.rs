//! Resolving input paths (files, folders, globs) into [`InputFile`]s with stable id stems.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::{Format, IngestError, InputFile};

/// Resolves files, folders and globs into the input files to read, in a stable order.
///
/// - A file is read whatever its extension (unknown extensions are read as text); its id stem
///   is its name without extensions.
/// - A folder is walked recursively; hidden entries (names starting with `.`), files of
///   unsupported extensions and documentation files (`README.md`, `LICENSE.txt`,
///   `PROVENANCE.md`, ...: see below) are skipped; files come sorted by path bytes; id stems are paths
///   relative to the folder. Symbolic links to files are followed, links to folders are not
///   (no cycles).
/// - A path that does not exist but contains `*`, `?` or `[` is a glob; matched folders are
///   walked as above, matched files of unsupported extensions and documentation files
///   skipped; id stems are relative
///   to the glob's literal leading folders (`seeds/*.txt` gives `000_x` for
///   `seeds/000_x.txt`).
///
/// Documentation files are those named (before the first `.`, in any case) `README`,
/// `LICENSE`, `LICENCE`, `COPYING`, `NOTICE`, `AUTHORS`, `CHANGELOG`, `CHANGES`,
/// `CONTRIBUTING`, `CODE_OF_CONDUCT`, `SECURITY` or `PROVENANCE`: folders of articles often
/// carry one (the seeds do). Named directly, such a file is read like any other.
///
/// Inputs keep the order given; a file reached twice is listed once (first occurrence). A
/// sub-folder that cannot be listed is returned as an input of its own, so that reading it
/// yields a [`crate::Rejected`] record instead of vanishing.
///
/// # Errors
/// [`IngestError`] for a missing path, a bad glob pattern, a glob or folder with no supported
/// file, or a named path that cannot be examined.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<InputFile>, IngestError> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for path in paths {
        let found = discover_one(path)?;
        for file in found {
            let key = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
            if seen.insert(key) {
                out.push(file);
            }
        }
    }
    Ok(out)
}

fn discover_one(path: &Path) -> Result<Vec<InputFile>, IngestError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let mut files = Vec::new();
            walk(path, path, &mut files).map_err(|source| IngestError::Io { path: path.to_path_buf(), source })?;
            if files.is_empty() {
                return Err(IngestError::EmptyFolder { path: path.to_path_buf() });
            }
            Ok(sorted(files))
        }
        Ok(_) => Ok(vec![InputFile::new(path)]),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let pattern = path.to_string_lossy();
            if pattern.contains(['*', '?', '[']) {
                discover_glob(&pattern)
            } else {
                Err(IngestError::NotFound { path: path.to_path_buf() })
            }
        }
        Err(source) => Err(IngestError::Io { path: path.to_path_buf(), source }),
    }
}

fn discover_glob(pattern: &str) -> Result<Vec<InputFile>, IngestError> {
    let options =
        glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };
    let entries = glob::glob_with(pattern, options)
        .map_err(|source| IngestError::BadGlob { pattern: pattern.to_string(), source })?;
    let base = glob_base(pattern);
    let mut files = Vec::new();
    for entry in entries {
        match entry {
            Ok(p) => {
                if let Ok(meta) = std::fs::metadata(&p) {
                    if meta.is_dir() {
                        // Unreadable sub-folders become inputs of their own (see `walk`).
                        if let Err(_e) = walk(&base, &p, &mut files) {
                            files.push(folder_input(&base, &p));
                        }
                        continue;
                    }
                }
                if is_supported(&p) {
                    files.push(InputFile { id_base: relative_id_base(&base, &p), path: p });
                }
            }
            // A path the glob could not examine: keep it so reading it gives a rejection.
            Err(e) => {
                let p = e.path().to_path_buf();
                files.push(folder_input(&base, &p));
            }
        }
    }
    if files.is_empty() {
        return Err(IngestError::NoMatch { pattern: pattern.to_string() });
    }
    Ok(sorted(files))
}

/// The literal leading folders of a glob pattern (`data/in/*.json` -> `data/in`).
fn glob_base(pattern: &str) -> PathBuf {
    let mut base = PathBuf::new();
    let path = Path::new(pattern);
    let mut components: Vec<Component> = path.components().collect();
    components.pop(); // the last component is a file name pattern, never a base
    for c in components {
        if c.as_os_str().to_string_lossy().contains(['*', '?', '[']) {
            break;
        }
        base.push(c.as_os_str());
    }
    base
}

/// Walks `dir` recursively, pushing supported files with ids relative to `base`.
fn walk(base: &Path, dir: &Path, out: &mut Vec<InputFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type()?;
        let is_file = if file_type.is_symlink() {
            // A dangling link with an input's name is still an input: reading it fails and
            // it is listed as rejected, rather than vanishing.
            std::fs::metadata(&path).map(|m| m.is_file()).unwrap_or(true)
        } else {
            file_type.is_file()
        };
        if file_type.is_dir() {
            if walk(base, &path, out).is_err() {
                out.push(folder_input(base, &path));
            }
        } else if is_file && is_supported(&path) {
            out.push(InputFile { id_base: relative_id_base(base, &path), path });
        }
    }
    Ok(())
}

fn folder_input(base: &Path, path: &Path) -> InputFile {
    InputFile { id_base: relative_id_base(base, path), path: path.to_path_buf() }
}

fn sorted(mut files: Vec<InputFile>) -> Vec<InputFile> {
    files.sort_by(|a, b| a.path.as_os_str().as_encoded_bytes().cmp(b.path.as_os_str().as_encoded_bytes()));
    files
}

/// Whether a file found in a folder or by a glob is an input: a supported extension, and not
/// a project documentation file (`README.md`, `LICENSE.txt`, `PROVENANCE.md`, ...).
fn is_supported(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else { return false };
    Format::detect(&name).is_some() && !is_doc_file(&name)
}

/// Names of documentation files that folders of articles commonly hold (compared without
/// extensions, in any case).
const DOC_FILES: &[&str] = &[
    "readme",
    "license",
    "licence",
    "copying",
    "notice",
    "authors",
    "changelog",
    "changes",
    "contributing",
    "code_of_conduct",
    "security",
    "provenance",
];

fn is_doc_file(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    DOC_FILES.iter().any(|d| stem.eq_ignore_ascii_case(d))
}

/// `name` without a trailing `.gz` (any case), and whether there was one.
pub(crate) fn strip_gz(name: &str) -> (&str, bool) {
    let n = name.len();
    if n > 3 && name.is_char_boundary(n - 3) && name[n - 3..].eq_ignore_ascii_case(".gz") {
        (&name[..n - 3], true)
    } else {
        (name, false)
    }
}

/// A file name without its extensions: `.gz`, then one more (`a.json.gz` -> `a`).
pub(crate) fn strip_extensions(name: &str) -> &str {
    let (rest, _) = strip_gz(name);
    match rest.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => rest,
    }
}

/// The id stem of a directly named file: its name without extensions.
pub(crate) fn direct_id_base(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    strip_extensions(&name).to_string()
}

/// The id stem of `path` found under `base`: relative path, `/` separators, no extensions.
fn relative_id_base(base: &Path, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(base) else { return direct_id_base(path) };
    let parts: Vec<String> = rel
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.split_last() {
        None => direct_id_base(path),
        Some((last, dirs)) => {
            let mut s = dirs.join("/");
            if !s.is_empty() {
                s.push('/');
            }
            s.push_str(strip_extensions(last));
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn ids(files: &[InputFile]) -> Vec<&str> {
        files.iter().map(|f| f.id_base.as_str()).collect()
    }

    #[test]
    fn folders_are_walked_sorted_skipping_hidden_and_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("a")).unwrap();
        fs::create_dir_all(d.join(".git")).unwrap();
        fs::write(d.join("a/x.json.gz"), b"").unwrap();
        fs::write(d.join("a.txt"), b"x").unwrap();
        fs::write(d.join("b.md"), b"x").unwrap();
        fs::write(d.join("c.csv"), b"x").unwrap();
        fs::write(d.join(".hidden.txt"), b"x").unwrap();
        fs::write(d.join(".git/y.txt"), b"x").unwrap();
        fs::write(d.join("z.JSONL"), b"x").unwrap();
        fs::write(d.join("README.md"), b"x").unwrap();
        fs::write(d.join("a/License.txt"), b"x").unwrap();
        fs::write(d.join("readme-not.txt"), b"x").unwrap();
        let files = discover(&[d.to_path_buf()]).unwrap();
        // `a.txt` sorts before `a/x.json.gz` because '.' < '/' in bytes.
        assert_eq!(ids(&files), vec!["a", "a/x", "b", "readme-not", "z"]);
        assert_eq!(files[1].path, d.join("a/x.json.gz"));
    }

    #[test]
    fn direct_files_use_their_stem_and_any_extension() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.v2.data");
        fs::write(&p, b"x").unwrap();
        let files = discover(std::slice::from_ref(&p)).unwrap();
        assert_eq!(files, vec![InputFile { path: p.clone(), id_base: "notes.v2".into() }]);
        // The same file twice is listed once.
        assert_eq!(discover(&[p.clone(), p]).unwrap().len(), 1);
        // A documentation file named directly is read.
        let p = dir.path().join("README.md");
        fs::write(&p, b"x").unwrap();
        assert_eq!(ids(&discover(&[p]).unwrap()), vec!["README"]);
    }

    #[test]
    fn globs_match_relative_to_their_literal_base() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("in/sub")).unwrap();
        fs::write(d.join("in/b.txt"), b"x").unwrap();
        fs::write(d.join("in/a.txt"), b"x").unwrap();
        fs::write(d.join("in/c.csv"), b"x").unwrap();
        fs::write(d.join("in/.h.txt"), b"x").unwrap();
        fs::write(d.join("in/sub/d.jsonl.gz"), b"x").unwrap();
        let pattern = d.join("in/*");
        let files = discover(&[pattern]).unwrap();
        assert_eq!(ids(&files), vec!["a", "b", "sub/d"]);
        let files = discover(&[d.join("in/**/*.jsonl.gz")]).unwrap();
        assert_eq!(ids(&files), vec!["sub/d"]);
    }

    #[test]
    fn missing_paths_empty_folders_and_bad_globs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let missing = d.join("nope.txt");
        let err = discover(std::slice::from_ref(&missing)).unwrap_err();
        assert!(matches!(err, IngestError::NotFound { .. }));
        assert!(err.to_string().contains("nope.txt"), "{err}");

        fs::create_dir_all(d.join("empty")).unwrap();
        fs::write(d.join("empty/readme.csv"), b"x").unwrap();
        let err = discover(&[d.join("empty")]).unwrap_err();
        assert!(matches!(err, IngestError::EmptyFolder { .. }), "{err}");
        assert!(err.to_string().contains("empty"), "{err}");

        let err = discover(&[d.join("*.json")]).unwrap_err();
        assert!(matches!(err, IngestError::NoMatch { .. }), "{err}");
        assert!(err.to_string().contains("*.json"), "{err}");

        let err = discover(&[d.join("[z.txt")]).unwrap_err();
        assert!(matches!(err, IngestError::BadGlob { .. }), "{err}");
        assert!(err.path().contains("[z.txt"));
    }

    #[test]
    fn id_stems() {
        assert_eq!(strip_extensions("a.json.gz"), "a");
        assert_eq!(strip_extensions("a.b.txt"), "a.b");
        assert_eq!(strip_extensions(".txt"), ".txt");
        assert_eq!(strip_extensions("plain"), "plain");
        assert_eq!(relative_id_base(Path::new("seeds"), Path::new("seeds/000_x.txt")), "000_x");
        assert_eq!(relative_id_base(Path::new(""), Path::new("x/y.md")), "x/y");
        assert_eq!(relative_id_base(Path::new("other"), Path::new("x/y.md")), "y");
        assert_eq!(glob_base("data/in/*.json"), PathBuf::from("data/in"));
        assert_eq!(glob_base("data/*/x.json"), PathBuf::from("data"));
        assert_eq!(glob_base("*.json"), PathBuf::new());
    }
}
