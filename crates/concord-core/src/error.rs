//! The error of reading a data file (a gold set, a gazetteer, a model): which file, which
//! line, what went wrong. Shared by the stage crates' evaluation and loading code.

use std::fmt;
use std::path::PathBuf;

/// A data file could not be read, or is not in the expected format.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not in the expected format.
    #[error("{}", Located { path, line: *line, message })]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when the problem is not on one line).
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
}

impl DataError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DataError {
        DataError::Io { path: path.into(), source }
    }

    /// A format error in `path` at `line` (0: no particular line).
    pub fn format(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> DataError {
        DataError::Format { path: path.into(), line, message: message.into() }
    }
}

/// `path:line: message`, or `path: message` without a line.
struct Located<'a> {
    path: &'a PathBuf,
    line: usize,
    message: &'a str,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path.display(), self.message),
            n => write!(f, "{}:{n}: {}", self.path.display(), self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_line() {
        assert_eq!(DataError::format("a.txt", 3, "bad tag").to_string(), "a.txt:3: bad tag");
        assert_eq!(DataError::format("dir", 0, "no article").to_string(), "dir: no article");
        let e = DataError::io("x.json", std::io::Error::new(std::io::ErrorKind::NotFound, "gone"));
        assert_eq!(e.to_string(), "x.json: gone");
    }
}
