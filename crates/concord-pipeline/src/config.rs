//! The TOML configuration: parsing with positions, and validation that reports every error
//! at once, each with file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use concord_core::{BuildContext, BuildError, Built, Registry};
use concord_ingest::InputOptions;
use concord_report::OutputOptions;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml_edit::{ImDocument, Item, Value};

/// The `[runtime]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuntimeOptions {
    /// Threads of a run (they read, process and observe the articles, finish the corpus
    /// and write the reports); 0 means one per core.
    pub threads: usize,
    /// Articles processed per chunk (bounds memory: a chunk's text is dropped after it).
    pub chunk_size: usize,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions { threads: 0, chunk_size: 512 }
    }
}

/// One error in a config file, located at the offending key or value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line (0 when the error has no position, e.g. an unreadable file).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was found and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message)
        }
    }
}

/// Every error found in a config, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

/// One configured `[[stages]]` entry, built.
pub struct StageConfig {
    /// The stage kind.
    pub kind: String,
    /// 1-based line of its `kind` key, for messages.
    pub line: usize,
    /// The running stage.
    pub built: Built,
}

/// A validated configuration with its stages built.
pub struct Config {
    /// The config file (or `<default>` when none).
    pub path: PathBuf,
    /// Its folder: relative paths in it start here.
    pub base_dir: PathBuf,
    /// The `[input]` section, with `paths` resolved against `base_dir`.
    pub input: InputOptions,
    /// The stages, in order.
    pub stages: Vec<StageConfig>,
    /// The `[output]` section, with `dir` resolved against `base_dir`.
    pub output: OutputOptions,
    /// The `[runtime]` section.
    pub runtime: RuntimeOptions,
}

impl Config {
    /// Reads, validates and builds the config at `path`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Config, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: path.to_path_buf(),
                line: 0,
                column: 0,
                message: format!("cannot read config: {e}"),
            }])
        })?;
        Config::parse(&text, path, registry)
    }

    /// Validates and builds a config from its text; `path` names it in messages and gives
    /// the folder relative paths start from.
    pub fn parse(text: &str, path: &Path, registry: &Registry) -> Result<Config, ConfigErrors> {
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base_dir = if base_dir.as_os_str().is_empty() { PathBuf::from(".") } else { clean(&base_dir) };
        let mut v = Validator { text, file: path.to_path_buf(), errors: Vec::new() };
        let doc = match ImDocument::parse(text) {
            Ok(d) => d,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                v.error(span, format!("invalid TOML: {}", one_line(e.message())));
                return Err(ConfigErrors(v.errors));
            }
        };
        let values: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                v.error(e.span().unwrap_or(0..0), format!("invalid TOML: {}", one_line(e.message())));
                return Err(ConfigErrors(v.errors));
            }
        };
        let root = doc.as_table();
        for (key, _) in root.iter() {
            if !["input", "stages", "output", "runtime"].contains(&key) {
                let span = root.key(key).and_then(|k| k.span()).unwrap_or(0..0);
                v.error(span, unknown_key("top-level section", key, &["input", "stages", "output", "runtime"]));
            }
        }
        let section = |name: &str| values.get(name).cloned().unwrap_or(toml::Value::Table(Default::default()));
        let input: Option<InputOptions> = v.section(&doc, "input", section("input"));
        let output: Option<OutputOptions> = v.section(&doc, "output", section("output"));
        let runtime: Option<RuntimeOptions> = v.section(&doc, "runtime", section("runtime"));
        if let Some(rt) = &runtime {
            if rt.chunk_size == 0 {
                let span = v.locate(&doc, &["runtime".into(), "chunk_size".into()], false);
                v.error(span, "chunk_size must be at least 1".into());
            }
        }
        let cx = BuildContext { base_dir: base_dir.clone() };
        let stages = v.stages(&doc, &values, registry, &cx);
        if !v.errors.is_empty() {
            v.errors.sort_by_key(|e| (e.line, e.column));
            return Err(ConfigErrors(v.errors));
        }
        let mut input = input.unwrap_or_default();
        input.paths = input.paths.iter().map(|p| resolve_str(&base_dir, p)).collect();
        let mut output = output.unwrap_or_default();
        output.dir = resolve_str(&base_dir, &output.dir);
        Ok(Config { path: path.to_path_buf(), base_dir, input, stages, output, runtime: runtime.unwrap_or_default() })
    }
}

fn resolve_str(base: &Path, p: &str) -> String {
    let path = Path::new(p);
    let joined = if path.is_absolute() { path.to_path_buf() } else { base.join(path) };
    clean(&joined).to_string_lossy().into_owned()
}

/// Removes `.` and folds `dir/..` without touching the file system (so
/// `config/../seeds` reads `seeds` in reports).
pub fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

fn unknown_key(what: &str, found: &str, allowed: &[&str]) -> String {
    let mut msg = format!("unknown {what} `{found}`; expected one of: {}", allowed.join(", "));
    if let Some(best) = closest(found, allowed) {
        msg.push_str(&format!(" (did you mean `{best}`?)"));
    }
    msg
}

/// The allowed name closest to `found`, if it is close enough to be a likely typo.
pub fn closest<'a>(found: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::jaro_winkler(&found.to_lowercase(), &a.to_lowercase()), *a))
        .filter(|(s, _)| *s >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a)
}

struct Validator<'t> {
    text: &'t str,
    file: PathBuf,
    errors: Vec<ConfigError>,
}

impl Validator<'_> {
    fn error(&mut self, span: Range<usize>, message: String) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ConfigError { file: self.file.clone(), line, column, message });
    }

    /// Deserializes one top-level section, recording its error (located) on failure.
    fn section<T: DeserializeOwned>(&mut self, doc: &ImDocument<&str>, name: &str, value: toml::Value) -> Option<T> {
        if !value.is_table() {
            let span = self.locate(doc, &[name.to_string()], false);
            self.error(span, format!("`{name}` must be a table ([{name}])"));
            return None;
        }
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(t) => Some(t),
            Err(e) => {
                let mut path = vec![name.to_string()];
                path.extend(e.path().iter().map(|s| s.to_string()));
                let message = e.into_inner().to_string();
                self.options_error(doc, path, &message, &format!("[{name}]"));
                None
            }
        }
    }

    /// Records a deserialization error at the key it concerns.
    fn options_error(&mut self, doc: &ImDocument<&str>, mut path: Vec<String>, message: &str, context: &str) {
        let mut on_key = false;
        if let Some(field) = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            if path.last().map(String::as_str) != Some(field) {
                path.push(field.to_string());
            }
            on_key = true;
        }
        let span = self.locate(doc, &path, on_key);
        let key = path.iter().rfind(|p| p.parse::<usize>().is_err()).cloned().unwrap_or_default();
        let message = one_line(&message.replace("unknown field", "unknown key"));
        let message = if on_key || key.is_empty() {
            format!("{context}: {message}")
        } else {
            format!("{context} `{key}`: {message}")
        };
        self.error(span, message);
    }

    /// The span of the value (or key) at `path`, or of its nearest existing ancestor.
    fn locate(&self, doc: &ImDocument<&str>, path: &[String], want_key: bool) -> Range<usize> {
        let mut best = 0..0;
        let mut node = Node::Table(doc.as_table());
        for (depth, seg) in path.iter().enumerate() {
            let Some((key_span, value_span, next)) = node.step(seg) else { break };
            let last = depth + 1 == path.len();
            let chosen = if last && want_key { key_span.or(value_span) } else { value_span.or(key_span) };
            if let Some(span) = chosen {
                best = span;
            }
            node = next;
        }
        best
    }

    /// Validates and builds the `[[stages]]` list.
    fn stages(
        &mut self,
        doc: &ImDocument<&str>,
        values: &toml::Table,
        registry: &Registry,
        cx: &BuildContext,
    ) -> Vec<StageConfig> {
        let mut out = Vec::new();
        let Some(list) = values.get("stages") else {
            return out;
        };
        let Some(list) = list.as_array() else {
            let span = self.locate(doc, &["stages".into()], true);
            self.error(span, "`stages` must be an array of tables ([[stages]])".into());
            return out;
        };
        let aot = doc.as_table().get("stages").and_then(Item::as_array_of_tables);
        let kinds = registry.kinds();
        let mut provided: Vec<(&str, String)> = vec![("text", "the input".to_string())];
        for (i, entry) in list.iter().enumerate() {
            let table_span = aot.and_then(|a| a.get(i)).and_then(|t| t.span()).unwrap_or(0..0);
            let Some(table) = entry.as_table() else {
                self.error(table_span, format!("stages[{i}] must be a table"));
                continue;
            };
            let at = |v: &Self, key: &str, want_key: bool| {
                let span = v.locate(doc, &["stages".into(), i.to_string(), key.into()], want_key);
                if span.is_empty() {
                    table_span.clone()
                } else {
                    span
                }
            };
            let kind = match table.get("kind") {
                Some(toml::Value::String(k)) => k.clone(),
                Some(_) => {
                    let span = at(self, "kind", false);
                    self.error(
                        span,
                        format!("stages[{i}]: `kind` must be a string naming a stage: {}", kinds.join(", ")),
                    );
                    continue;
                }
                None => {
                    self.error(
                        table_span,
                        format!("stages[{i}]: missing `kind`; registered kinds: {}", kinds.join(", ")),
                    );
                    continue;
                }
            };
            let kind_span = at(self, "kind", false);
            let line = line_col(self.text, kind_span.start).0;
            let Some(reg) = registry.get(&kind) else {
                let mut msg = format!("unknown stage kind `{kind}`; registered kinds: {}", kinds.join(", "));
                if let Some(best) = closest(&kind, &kinds) {
                    msg.push_str(&format!(" (did you mean `{best}`?)"));
                }
                self.error(kind_span, msg);
                continue;
            };
            for need in reg.def.needs {
                if !provided.iter().any(|(p, _)| p == need) {
                    let by: Vec<_> = registry
                        .iter()
                        .filter(|r| r.def.provides.contains(need))
                        .map(|r| format!("`{}`", r.def.kind))
                        .collect();
                    let hint = if by.is_empty() {
                        "no registered stage provides it".to_string()
                    } else {
                        format!("add {} before it", by.join(" or "))
                    };
                    self.error(
                        kind_span.clone(),
                        format!("stage `{kind}` needs `{need}`, which no earlier stage provides; {hint}"),
                    );
                }
            }
            for p in reg.def.provides {
                provided.push((p, kind.clone()));
            }
            let mut options = table.clone();
            options.remove("kind");
            let context = format!("stage `{kind}`");
            match reg.build(&options, cx) {
                Ok(built) => out.push(StageConfig { kind, line, built }),
                Err(BuildError::Options { path, message }) => {
                    let mut full = vec!["stages".to_string(), i.to_string()];
                    full.extend(path);
                    self.options_error(doc, full, &message, &context);
                }
                Err(BuildError::Invalid { key, message }) => {
                    let span = match &key {
                        Some(k) => at(self, k, false),
                        None => kind_span.clone(),
                    };
                    let msg = match key {
                        Some(k) => format!("{context} `{k}`: {message}"),
                        None => format!("{context}: {message}"),
                    };
                    self.error(span, msg);
                }
            }
        }
        out
    }
}

/// A position in the parsed document, for walking a key path.
enum Node<'a> {
    Table(&'a toml_edit::Table),
    Inline(&'a toml_edit::InlineTable),
    Array(&'a toml_edit::Array),
    Tables(&'a toml_edit::ArrayOfTables),
    Leaf,
}

type Step<'a> = (Option<Range<usize>>, Option<Range<usize>>, Node<'a>);

impl<'a> Node<'a> {
    fn of_item(item: &'a Item) -> Node<'a> {
        match item {
            Item::Table(t) => Node::Table(t),
            Item::ArrayOfTables(a) => Node::Tables(a),
            Item::Value(v) => Node::of_value(v),
            Item::None => Node::Leaf,
        }
    }

    fn of_value(value: &'a Value) -> Node<'a> {
        match value {
            Value::Array(a) => Node::Array(a),
            Value::InlineTable(t) => Node::Inline(t),
            _ => Node::Leaf,
        }
    }

    /// Key span, value span and node of `seg` under this node.
    fn step(&self, seg: &str) -> Option<Step<'a>> {
        let index = || seg.parse::<usize>().ok();
        match *self {
            Node::Table(t) => t.get_key_value(seg).map(|(k, i)| (k.span(), i.span(), Node::of_item(i))),
            Node::Inline(t) => t.get_key_value(seg).map(|(k, i)| (k.span(), i.span(), Node::of_item(i))),
            Node::Array(a) => a.get(index()?).map(|v| (None, v.span(), Node::of_value(v))),
            Node::Tables(a) => a.get(index()?).map(|t| (None, t.span(), Node::Table(t))),
            Node::Leaf => None,
        }
    }
}

/// One line of a (possibly multi-line) library message.
fn one_line(message: &str) -> String {
    message.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("in `")).collect::<Vec<_>>().join("; ")
}

/// 1-based line and column (in characters) of byte `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(pos)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}
