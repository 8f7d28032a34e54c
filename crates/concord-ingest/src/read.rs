//! Reading one input file into articles or rejections.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use concord_core::{Article, OutletFrom, Source};

use crate::discover::{direct_id_base, strip_gz};
use crate::frontmatter;
use crate::json;
use crate::jsonl::JsonlReader;
use crate::{FieldMap, Format, InputFile, InputOptions, Rejected, Utf8Policy};

/// The articles of one input file, streamed: each item is an [`Article`] or a [`Rejected`]
/// record. Whole-file formats are read when [`read_file`] is called; JSONL is read one line
/// per item.
pub struct Articles {
    inner: Inner,
}

enum Inner {
    Items(std::vec::IntoIter<Result<Article, Rejected>>),
    Lines(Box<JsonlReader>),
}

impl Articles {
    fn items(items: Vec<Result<Article, Rejected>>) -> Articles {
        Articles { inner: Inner::Items(items.into_iter()) }
    }
}

impl Iterator for Articles {
    type Item = Result<Article, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Items(items) => items.next(),
            Inner::Lines(reader) => reader.next(),
        }
    }
}

impl std::fmt::Debug for Articles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Items(items) => write!(f, "Articles({} buffered)", items.len()),
            Inner::Lines(reader) => write!(f, "Articles(JSONL {})", reader.ctx.path),
        }
    }
}

/// What readers need to know about the file being read.
pub(crate) struct Ctx {
    pub path: String,
    pub id_base: String,
    pub file_stem: String,
    pub format: String,
    pub fields: FieldMap,
    pub outlet: Option<String>,
    pub utf8: Utf8Policy,
    pub max_bytes: u64,
    pub text_join: Option<String>,
}

impl Ctx {
    pub fn reject(&self, id: String, line: Option<u64>, reason: String) -> Rejected {
        Rejected { id, path: self.path.clone(), line, reason }
    }

    /// The outlet: from metadata, else the configured one, else the file name.
    pub fn outlet(&self, from_meta: Option<String>) -> (String, OutletFrom) {
        if let Some(o) = from_meta.map(|o| o.trim().to_string()).filter(|o| !o.is_empty()) {
            return (o, OutletFrom::Metadata);
        }
        if let Some(o) = self.outlet.as_ref().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            return (o.to_string(), OutletFrom::Config);
        }
        (self.file_stem.clone(), OutletFrom::Filename)
    }

    /// Decodes bytes as UTF-8 per the policy; `Err` is the rejection reason.
    pub fn decode(&self, bytes: Vec<u8>, what: &str) -> Result<(String, Vec<String>), String> {
        if let Some(i) = memchr::memchr(0, &bytes) {
            return Err(format!("binary data: NUL byte at offset {i} of the {what}"));
        }
        match String::from_utf8(bytes) {
            Ok(s) => Ok((s, Vec::new())),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                match self.utf8 {
                    Utf8Policy::Reject => {
                        Err(format!("invalid UTF-8 at byte {at} of the {what} (invalid_utf8 = \"reject\")"))
                    }
                    Utf8Policy::Lossy => {
                        let s = String::from_utf8_lossy(e.as_bytes()).into_owned();
                        let warning = format!(
                            "invalid UTF-8 from byte {at} of the {what} decoded lossily (U+FFFD); offsets after it are approximate"
                        );
                        Ok((s, vec![warning]))
                    }
                }
            }
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads one input file: its articles, or rejection records for whatever is wrong with it.
///
/// Never panics and never stops early on bad data: an unreadable file, invalid UTF-8 (per
/// [`InputOptions::invalid_utf8`]), binary data, empty text, malformed front matter, a file
/// over the size limit, or a corrupt gzip stream becomes a [`Rejected`] item; in JSONL a bad
/// line rejects that line only and the lines read before a gzip corruption are kept.
pub fn read_file(file: &InputFile, opts: &InputOptions) -> Articles {
    let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let gz_ext = strip_gz(&name).1;
    let format = match opts.format {
        Format::Auto => Format::detect(&name).map(|(f, _)| f).unwrap_or(Format::Txt),
        forced => forced,
    };
    let mut ctx = Ctx {
        path: file.path.to_string_lossy().into_owned(),
        id_base: file.id_base.clone(),
        file_stem: direct_id_base(&file.path),
        format: format.as_str().to_string(),
        fields: opts.fields.clone(),
        outlet: opts.outlet.clone(),
        utf8: opts.invalid_utf8,
        max_bytes: opts.max_file_bytes,
        text_join: opts.text_join.clone(),
    };
    let reject_file =
        |ctx: &Ctx, reason: String| Articles::items(vec![Err(ctx.reject(ctx.id_base.clone(), None, reason))]);

    let meta = match std::fs::metadata(&file.path) {
        Ok(m) => m,
        Err(e) => return reject_file(&ctx, format!("cannot read file: {e}")),
    };
    if meta.is_dir() {
        let reason = match std::fs::read_dir(&file.path) {
            Err(e) => format!("cannot list folder: {e}"),
            Ok(_) => "is a folder, not a file".to_string(),
        };
        return reject_file(&ctx, reason);
    }
    if format != Format::Jsonl && meta.len() > ctx.max_bytes {
        return reject_file(&ctx, too_large(meta.len(), ctx.max_bytes, "file"));
    }
    let mut raw = match File::open(&file.path) {
        Ok(f) => BufReader::with_capacity(64 * 1024, f),
        Err(e) => return reject_file(&ctx, format!("cannot open file: {e}")),
    };
    let magic = match raw.fill_buf() {
        Ok(b) => b.starts_with(&GZIP_MAGIC),
        Err(e) => return reject_file(&ctx, format!("cannot read file: {e}")),
    };
    let gz = gz_ext || magic;
    if gz {
        ctx.format.push_str("+gz");
    }
    let reader: Box<dyn BufRead + Send> = if gz {
        Box::new(BufReader::with_capacity(64 * 1024, flate2::bufread::MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    if format == Format::Jsonl {
        return Articles { inner: Inner::Lines(Box::new(JsonlReader::new(reader, ctx, gz))) };
    }

    let mut bytes = Vec::new();
    if let Err(e) = reader.take(ctx.max_bytes.saturating_add(1)).read_to_end(&mut bytes) {
        let reason = if gz {
            format!("corrupt gzip stream: {e} (after {} decompressed bytes)", bytes.len())
        } else {
            format!("cannot read file: {e}")
        };
        return reject_file(&ctx, reason);
    }
    if bytes.len() as u64 > ctx.max_bytes {
        return reject_file(&ctx, too_large(bytes.len() as u64, ctx.max_bytes, "decompressed file"));
    }
    if let Some(reason) = utf16_reason(&bytes) {
        return reject_file(&ctx, reason);
    }
    let (text, warnings) = match ctx.decode(bytes, "file") {
        Ok(x) => x,
        Err(reason) => return reject_file(&ctx, reason),
    };
    match format {
        Format::Json => Articles::items(read_json(&text, &ctx, warnings)),
        Format::Md => Articles::items(vec![read_text(text, true, &ctx, warnings)]),
        _ => Articles::items(vec![read_text(text, false, &ctx, warnings)]),
    }
}

pub(crate) fn too_large(len: u64, max: u64, what: &str) -> String {
    format!("{what} is too large: {len} bytes or more, over the limit of {max} bytes (max_file_bytes)")
}

/// A rejection reason for UTF-16 text (recognised by its byte order mark).
pub(crate) fn utf16_reason(bytes: &[u8]) -> Option<String> {
    (bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]))
        .then(|| "UTF-16 text (byte order mark found) is not supported: convert it to UTF-8".to_string())
}

/// Lines before the closing delimiter within which `.txt` front matter is recognised.
const TXT_FRONT_MATTER_LINES: usize = 64;

/// Reads a text or Markdown file's decoded content.
fn read_text(text: String, markdown: bool, ctx: &Ctx, warnings: Vec<String>) -> Result<Article, Rejected> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let s = &text[start..];
    let mut meta = frontmatter::Meta::default();
    let mut body_start = 0;
    if frontmatter::opener(s).is_some() {
        if markdown {
            let parsed = frontmatter::find_block(s, None)
                .and_then(|block| frontmatter::parse_block(&block).map(|fm| (fm, block.body_start)));
            match parsed {
                Ok((fm, at)) => {
                    meta = frontmatter::meta(&fm);
                    body_start = at;
                }
                Err(e) => return Err(ctx.reject(ctx.id_base.clone(), Some(e.line), e.reason)),
            }
        } else if let Ok(block) = frontmatter::find_block(s, Some(TXT_FRONT_MATTER_LINES)) {
            // Plain text: front matter only when well formed, else the `---` is text.
            if let Ok(fm) = frontmatter::parse_block(&block) {
                meta = frontmatter::meta(&fm);
                body_start = block.body_start;
            }
        }
    }
    let body_offset = start + body_start;
    let body = text[body_offset..].to_string();
    if body.trim().is_empty() {
        let reason = if body_start > 0 { "empty text: nothing after the front matter" } else { "empty text" };
        return Err(ctx.reject(ctx.id_base.clone(), None, reason.to_string()));
    }
    let (outlet, outlet_from) = ctx.outlet(meta.outlet);
    Ok(Article {
        id: ctx.id_base.clone(),
        source: Source { path: ctx.path.clone(), line: None, index: None, body_offset, format: ctx.format.clone() },
        outlet,
        outlet_from,
        title: meta.title,
        published: meta.published,
        url: meta.url,
        author: meta.author,
        tags: meta.tags,
        excerpt: meta.excerpt,
        body,
        warnings,
    })
}

/// Reads a JSON file's decoded content: one article object or an array of them.
fn read_json(text: &str, ctx: &Ctx, warnings: Vec<String>) -> Vec<Result<Article, Rejected>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (value, repaired) = match json::parse(text) {
        Ok(x) => x,
        Err(reason) => return vec![Err(ctx.reject(ctx.id_base.clone(), None, reason))],
    };
    let with = |extra: bool| {
        let mut w = warnings.clone();
        if extra {
            w.push(json::SURROGATE_WARNING.to_string());
        }
        w
    };
    match value {
        serde_json::Value::Array(items) => {
            if items.is_empty() {
                return vec![Err(ctx.reject(ctx.id_base.clone(), None, "no articles: the JSON array is empty".into()))];
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let repaired_here = repaired && has_replacement(v);
                    json::article(v, ctx, format!("{}#{i}", ctx.id_base), None, Some(i as u64), with(repaired_here))
                })
                .collect()
        }
        v @ serde_json::Value::Object(_) => {
            vec![json::article(&v, ctx, ctx.id_base.clone(), None, None, with(repaired))]
        }
        other => {
            let reason = format!(
                "the JSON file holds neither an article object nor an array of them (found {})",
                json::kind(&other)
            );
            vec![Err(ctx.reject(ctx.id_base.clone(), None, reason))]
        }
    }
}

/// Whether any string in `v` holds U+FFFD (where a repaired surrogate would be).
fn has_replacement(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\u{FFFD}'),
        serde_json::Value::Array(a) => a.iter().any(has_replacement),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\u{FFFD}') || has_replacement(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::discover;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn read(path: &Path, opts: &InputOptions) -> Vec<Result<Article, Rejected>> {
        read_file(&InputFile::new(path), opts).collect()
    }

    fn one(path: &Path, opts: &InputOptions) -> Result<Article, Rejected> {
        let mut all = read(path, opts);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    fn default() -> InputOptions {
        InputOptions::default()
    }

    #[test]
    fn plain_text_keeps_every_byte_and_has_no_title() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "wire-story.txt", b"Headline-like first line\n\nBody.  \n\n");
        let a = one(&p, &default()).unwrap();
        assert_eq!(a.body, "Headline-like first line\n\nBody.  \n\n");
        assert_eq!(a.title, None);
        assert_eq!(a.id, "wire-story");
        assert_eq!((a.outlet.as_str(), a.outlet_from), ("wire-story", OutletFrom::Filename));
        assert_eq!(a.source.format, "txt");
        assert_eq!(a.source.body_offset, 0);
        assert_eq!((a.source.line, a.source.index), (None, None));
        assert!(a.warnings.is_empty());
        let opts = InputOptions { outlet: Some("Wire".into()), ..default() };
        let a = one(&p, &opts).unwrap();
        assert_eq!((a.outlet.as_str(), a.outlet_from), ("Wire", OutletFrom::Config));
    }

    #[test]
    fn txt_front_matter_only_when_well_formed() {
        let dir = tempfile::tempdir().unwrap();
        let text = "---\ntitle: \"T\"\nsource: Herald\n---\n\nBody here.\n";
        let p = write(dir.path(), "a.txt", text.as_bytes());
        let a = one(&p, &default()).unwrap();
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!((a.outlet.as_str(), a.outlet_from), ("Herald", OutletFrom::Metadata));
        assert_eq!(a.body, "\nBody here.\n");
        assert_eq!(&text[a.source.body_offset..], a.body);

        // Not key: value lines: the whole file is text.
        let text = "---\nThis is a rule, not metadata\n---\nBody.\n";
        let p = write(dir.path(), "b.txt", text.as_bytes());
        let a = one(&p, &default()).unwrap();
        assert_eq!((a.body.as_str(), a.title.as_deref(), a.source.body_offset), (text, None, 0));

        // Closing line beyond the first 64 lines: text.
        let text = format!("---\n{}---\nBody.\n", "k: v\n".repeat(64));
        let p = write(dir.path(), "c.txt", text.as_bytes());
        assert_eq!(one(&p, &default()).unwrap().body, text);
        // ... but a closing line at line 64 counts.
        let text = format!("---\n{}---\nBody.\n", "k: v\n".repeat(62));
        let p = write(dir.path(), "d.txt", text.as_bytes());
        assert_eq!(one(&p, &default()).unwrap().body, "Body.\n");
    }

    #[test]
    fn markdown_yaml_and_toml_front_matter() {
        let dir = tempfile::tempdir().unwrap();
        let text = "\u{feff}---\r\ntitle: 'It''s here'\r\ndate: 2025-08-16\r\nauthor: [A, B]\r\npublisher: Gazette\r\nurl: https://g.example/x\r\ntags: [a]\r\ncategories:\r\n  - b\r\ndescription: Short.\r\n---\r\n# Heading\r\nText.\r\n";
        let p = write(dir.path(), "story.markdown", text.as_bytes());
        let a = one(&p, &default()).unwrap();
        assert_eq!(a.title.as_deref(), Some("It's here"));
        assert_eq!(a.published.as_deref(), Some("2025-08-16"));
        assert_eq!(a.author.as_deref(), Some("A, B"));
        assert_eq!((a.outlet.as_str(), a.outlet_from), ("Gazette", OutletFrom::Metadata));
        assert_eq!(a.url.as_deref(), Some("https://g.example/x"));
        assert_eq!(a.tags, vec!["a", "b"]);
        assert_eq!(a.excerpt.as_deref(), Some("Short."));
        assert_eq!(a.body, "# Heading\r\nText.\r\n");
        assert_eq!(&text.as_bytes()[a.source.body_offset..], a.body.as_bytes());
        assert_eq!(a.source.format, "md");

        let text = "+++\ntitle = \"Toml\"\noutlet = \"Post\"\ntags = [\"x\"]\ndate = 2025-01-02\n+++\nBody.";
        let p = write(dir.path(), "t.md", text.as_bytes());
        let a = one(&p, &default()).unwrap();
        assert_eq!((a.title.as_deref(), a.outlet.as_str(), a.body.as_str()), (Some("Toml"), "Post", "Body."));
        assert_eq!(a.published.as_deref(), Some("2025-01-02"));
        assert_eq!(a.tags, vec!["x"]);

        // Markdown without front matter.
        let p = write(dir.path(), "plain.md", b"Just text.\n");
        assert_eq!(one(&p, &default()).unwrap().body, "Just text.\n");
    }

    #[test]
    fn malformed_front_matter_is_rejected_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "open.md", b"---\ntitle: x\nno closing line\n");
        let r = one(&p, &default()).unwrap_err();
        assert!(r.reason.contains("unterminated front matter"), "{r}");
        assert_eq!((r.id.as_str(), r.line), ("open", Some(1)));

        let p = write(dir.path(), "bad.md", b"---\ntitle: x\nthis is not metadata\n---\nBody\n");
        let r = one(&p, &default()).unwrap_err();
        assert!(r.reason.contains("not `key: value`"), "{r}");
        assert_eq!(r.line, Some(3));
        assert!(r.path.ends_with("bad.md"));

        let p = write(dir.path(), "bad-toml.md", b"+++\ntitle = \n+++\nBody\n");
        let r = one(&p, &default()).unwrap_err();
        assert!(r.reason.contains("malformed TOML front matter"), "{r}");
    }

    #[test]
    fn empty_binary_and_oversized_files_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, want) in [
            ("empty.txt", &b""[..], "empty text"),
            ("blank.txt", &b" \n\t\r\n"[..], "empty text"),
            ("fm-only.md", &b"---\ntitle: x\n---\n\n"[..], "nothing after the front matter"),
            ("bin.txt", &b"abc\0def"[..], "binary data: NUL byte at offset 3"),
            ("utf16.txt", &b"\xff\xfea\0b\0"[..], "UTF-16"),
        ] {
            let p = write(dir.path(), name, bytes);
            let r = one(&p, &default()).unwrap_err();
            assert!(r.reason.contains(want), "{name}: {r}");
            assert_eq!(r.id, crate::discover::strip_extensions(name));
        }
        let p = write(dir.path(), "big.txt", &[b'a'; 100]);
        let opts = InputOptions { max_file_bytes: 99, ..default() };
        let r = one(&p, &opts).unwrap_err();
        assert!(r.reason.contains("too large") && r.reason.contains("99"), "{r}");
        assert!(one(&p, &InputOptions { max_file_bytes: 100, ..default() }).is_ok());
        // The limit applies to decompressed bytes too.
        let p = write(dir.path(), "big.txt.gz", &gzip(&[b'a'; 1000]));
        let r = one(&p, &InputOptions { max_file_bytes: 500, ..default() }).unwrap_err();
        assert!(r.reason.contains("decompressed file is too large"), "{r}");
    }

    #[test]
    fn unreadable_inputs_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let r = one(&dir.path().join("gone.txt"), &default()).unwrap_err();
        assert!(r.reason.contains("cannot read file"), "{r}");
        assert_eq!(r.id, "gone");
        let r = one(dir.path(), &default()).unwrap_err();
        assert!(r.reason.contains("folder"), "{r}");
    }

    #[test]
    fn invalid_utf8_lossy_or_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "latin1.txt", b"Caf\xe9 au lait\n");
        let a = one(&p, &default()).unwrap();
        assert_eq!(a.body, "Caf\u{FFFD} au lait\n");
        assert_eq!(a.warnings.len(), 1);
        assert!(a.warnings[0].contains("invalid UTF-8 from byte 3"), "{:?}", a.warnings);
        let opts = InputOptions { invalid_utf8: Utf8Policy::Reject, ..default() };
        let r = one(&p, &opts).unwrap_err();
        assert!(r.reason.contains("invalid UTF-8 at byte 3"), "{r}");
    }

    #[test]
    fn json_object_and_array_with_field_map() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "one.json",
            br#"{"text": "Body.", "title": "T", "source": "AP", "url": "u", "date": 20250816, "author": ["X", "Y"], "tags": "a, b", "excerpt": "E"}"#,
        );
        let a = one(&p, &default()).unwrap();
        assert_eq!(a.id, "one");
        assert_eq!((a.body.as_str(), a.title.as_deref(), a.outlet.as_str()), ("Body.", Some("T"), "AP"));
        assert_eq!(
            (a.url.as_deref(), a.published.as_deref(), a.author.as_deref()),
            (Some("u"), Some("20250816"), Some("X, Y"))
        );
        assert_eq!((a.tags.clone(), a.excerpt.as_deref()), (vec!["a".to_string(), "b".to_string()], Some("E")));
        assert_eq!((a.source.format.as_str(), a.source.body_offset, a.source.index), ("json", 0, None));

        let p = write(
            dir.path(),
            "many.json",
            br#"[{"body": "One.", "doc": 7, "meta": {"outlet": "Times"}}, {"body": "Two."}, {"body": 3}, {"title": "none"}, "x", {"body": "  "}]"#,
        );
        let mut fields = crate::FieldMap { text: "body".into(), id: "doc".into(), ..Default::default() };
        fields.source = "/meta/outlet".into();
        let opts = InputOptions { fields, outlet: Some("Cfg".into()), ..default() };
        let all = read(&p, &opts);
        assert_eq!(all.len(), 6);
        let a0 = all[0].as_ref().unwrap();
        assert_eq!((a0.id.as_str(), a0.source.index, a0.outlet.as_str()), ("7", Some(0), "Times"));
        let a1 = all[1].as_ref().unwrap();
        assert_eq!((a1.id.as_str(), a1.source.index, a1.outlet.as_str()), ("many#1", Some(1), "Cfg"));
        assert_eq!(a1.outlet_from, OutletFrom::Config);
        let r = all[2].as_ref().unwrap_err();
        assert_eq!(r.id, "many#2");
        assert!(r.reason.contains("field `body` is not a string (found a number)"), "{r}");
        assert!(all[3].as_ref().unwrap_err().reason.contains("field `body` is missing"));
        assert!(all[4].as_ref().unwrap_err().reason.contains("array element 4 is not a JSON object"));
        assert!(all[5].as_ref().unwrap_err().reason.contains("empty text"));
    }

    #[test]
    fn text_arrays_are_joined_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "paras.jsonl",
            br#"{"paragraphs": ["One.", "Two."]}
{"paragraphs": ["One.", 2]}
"#,
        );
        let fields = crate::FieldMap { text: "paragraphs".into(), ..Default::default() };
        let opts = InputOptions { fields: fields.clone(), ..default() };
        assert!(read(&p, &opts).iter().all(|r| r.as_ref().is_err_and(|r| r.reason.contains("not a string"))));
        let opts = InputOptions { fields, text_join: Some("\n\n".into()), ..default() };
        let all = read(&p, &opts);
        assert_eq!(all[0].as_ref().unwrap().body, "One.\n\nTwo.");
        let r = all[1].as_ref().unwrap_err();
        assert!(r.reason.contains("not a string nor an array of strings"), "{r}");
    }

    #[test]
    fn bad_json_files_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, want) in [
            ("broken.json", &b"{\"text\": "[..], "malformed JSON"),
            ("empty.json", &b"[]"[..], "array is empty"),
            ("scalar.json", &b"42"[..], "found a number"),
        ] {
            let p = write(dir.path(), name, bytes);
            let r = one(&p, &default()).unwrap_err();
            assert!(r.reason.contains(want), "{name}: {r}");
        }
    }

    #[test]
    fn lone_surrogates_decode_lossily_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.jsonl", b"{\"text\": \"bad \\ud800 here\"}\n{\"text\": \"fine\"}\n");
        let all = read(&p, &default());
        let a = all[0].as_ref().unwrap();
        assert_eq!(a.body, "bad \u{FFFD} here");
        assert_eq!(a.warnings, vec![json::SURROGATE_WARNING.to_string()]);
        assert!(all[1].as_ref().unwrap().warnings.is_empty());
        let p = write(dir.path(), "s.json", b"[{\"text\": \"ok\"}, {\"text\": \"\\udc00\"}]");
        let all = read(&p, &default());
        assert!(all[0].as_ref().unwrap().warnings.is_empty());
        assert_eq!(all[1].as_ref().unwrap().warnings.len(), 1);
    }

    #[test]
    fn jsonl_lines_ids_blank_lines_and_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let text = concat!(
            "\u{feff}{\"text\": \"First.\", \"id\": \"a-1\", \"source\": \"Reuters\"}\r\n",
            "\n",
            "   \n",
            "{\"text\": \"Fourth.\", \"id\": 44}\n",
            "{\"text\": \"Fifth.\"\n",
            "[1, 2]\n",
            "{\"title\": \"no text\"}\n",
            "{\"text\": \"Eighth.\"}",
        );
        let p = write(dir.path(), "feed.jsonl", text.as_bytes());
        let all = read(&p, &default());
        assert_eq!(all.len(), 6, "{all:?}");
        let a = all[0].as_ref().unwrap();
        assert_eq!(
            (a.id.as_str(), a.source.line, a.outlet.as_str(), a.body.as_str()),
            ("a-1", Some(1), "Reuters", "First.")
        );
        assert_eq!(a.source.format, "jsonl");
        let a = all[1].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.source.line, a.outlet.as_str()), ("44", Some(4), "feed"));
        let r = all[2].as_ref().unwrap_err();
        assert_eq!((r.id.as_str(), r.line), ("feed:5", Some(5)));
        assert!(r.reason.contains("malformed JSON"), "{r}");
        assert!(all[3].as_ref().unwrap_err().reason.contains("not a JSON object (found an array)"));
        assert_eq!(all[4].as_ref().unwrap_err().line, Some(7));
        let a = all[5].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.source.line), ("feed:8", Some(8)));
    }

    #[test]
    fn jsonl_per_line_problems() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"{\"text\": \"caf\xe9\"}\n{\"text\": \"a\0b\"}\n".to_vec();
        bytes.extend_from_slice(format!("{{\"text\": \"{}\"}}\n{{\"text\": \"short\"}}\n", "x".repeat(200)).as_bytes());
        let p = write(dir.path(), "mixed.jsonl", &bytes);
        let opts = InputOptions { max_file_bytes: 100, ..default() };
        let all = read(&p, &opts);
        assert_eq!(all.len(), 4, "{all:?}");
        let a = all[0].as_ref().unwrap();
        assert_eq!(a.body, "caf\u{FFFD}");
        assert_eq!(a.warnings.len(), 1);
        let r = all[1].as_ref().unwrap_err();
        assert!(r.reason.contains("binary data"), "{r}");
        let r = all[2].as_ref().unwrap_err();
        assert!(r.reason.contains("line is too large"), "{r}");
        assert_eq!((r.id.as_str(), r.line), ("mixed:3", Some(3)));
        assert_eq!(all[3].as_ref().unwrap().body, "short");
        let opts = InputOptions { invalid_utf8: Utf8Policy::Reject, ..default() };
        let r = read(&p, &opts).remove(0).unwrap_err();
        assert!(r.reason.contains("invalid UTF-8"), "{r}");

        // Binary from the start: one rejection for the file.
        let p = write(dir.path(), "bin.jsonl", b"\x7fELF\0\0\0\n{\"text\": \"x\"}\n");
        let all = read(&p, &default());
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].as_ref().unwrap_err().line, None);
        // Nothing but blank lines: one rejection, never silence.
        let p = write(dir.path(), "blank.jsonl", b"\n  \n");
        let r = one(&p, &default()).unwrap_err();
        assert!(r.reason.contains("no articles"), "{r}");
    }

    #[test]
    fn gzip_inputs_stream_and_name_their_format() {
        let dir = tempfile::tempdir().unwrap();
        let lines: String = (0..50).map(|i| format!("{{\"text\": \"Story {i}.\"}}\n")).collect();
        let p = write(dir.path(), "feed.jsonl.gz", &gzip(lines.as_bytes()));
        let all = read(&p, &default());
        assert_eq!(all.len(), 50);
        let a = all[49].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.body.as_str(), a.source.format.as_str()), ("feed:50", "Story 49.", "jsonl+gz"));
        // Multi-member gzip (concatenated streams) is read through.
        let mut two = gzip(b"{\"text\": \"a\"}\n");
        two.extend(gzip(b"{\"text\": \"b\"}\n"));
        let p = write(dir.path(), "two.jsonl.gz", &two);
        assert_eq!(read(&p, &default()).len(), 2);
        // Text and JSON, by extension or by magic bytes.
        let p = write(dir.path(), "a.txt.gz", &gzip(b"---\ntitle: G\n---\nZipped."));
        let a = one(&p, &default()).unwrap();
        assert_eq!((a.title.as_deref(), a.body.as_str(), a.source.format.as_str()), (Some("G"), "Zipped.", "txt+gz"));
        assert_eq!(a.id, "a");
        let p = write(dir.path(), "b.json", &gzip(b"{\"text\": \"J\"}"));
        assert_eq!(one(&p, &default()).unwrap().source.format, "json+gz");
    }

    #[test]
    fn corrupt_gzip_keeps_what_was_read_before() {
        let dir = tempfile::tempdir().unwrap();
        let lines: String =
            (0..20_000).map(|i| format!("{{\"text\": \"Story number {i} {}.\"}}\n", i * 7919)).collect();
        let mut z = gzip(lines.as_bytes());
        let n = z.len();
        z.truncate(n * 2 / 3);
        let p = write(dir.path(), "cut.jsonl.gz", &z);
        let all = read(&p, &default());
        let ok = all.iter().filter(|r| r.is_ok()).count();
        assert!(ok > 1000 && ok < 20_000, "{ok}");
        assert_eq!(all.len(), ok + 1);
        let r = all.last().unwrap().as_ref().unwrap_err();
        assert!(r.reason.contains("corrupt gzip stream at line"), "{r}");
        assert_eq!(r.line, Some(ok as u64 + 1));
        // Not gzip at all, though named so.
        let p = write(dir.path(), "fake.txt.gz", b"plain text");
        let r = one(&p, &default()).unwrap_err();
        assert!(r.reason.contains("corrupt gzip stream"), "{r}");
        // Corrupt bytes inside a whole-file format.
        let mut z = gzip(&lines.as_bytes()[..5000]);
        let mid = z.len() / 2;
        z[mid] ^= 0xff;
        z[mid + 1] ^= 0xff;
        let p = write(dir.path(), "bad.txt.gz", &z);
        let r = one(&p, &default()).unwrap_err();
        assert!(r.reason.contains("corrupt gzip stream"), "{r}");
    }

    #[test]
    fn forced_format_overrides_extension() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "feed.data", b"{\"text\": \"x\"}\n{\"text\": \"y\"}\n");
        assert_eq!(read(&p, &default()).len(), 1); // an unknown extension is text
        let opts = InputOptions { format: Format::Jsonl, ..default() };
        let all = read(&p, &opts);
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].as_ref().unwrap().id, "feed:2");
    }

    #[test]
    fn seeds_give_five_articles_with_front_matter_on_000() {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds");
        if !seeds.is_dir() {
            eprintln!("skipped: seeds folder {} not found", seeds.display());
            return;
        }
        // The folder as the default config names it (its README.md is not an article) ...
        let files = discover::discover(std::slice::from_ref(&seeds)).unwrap();
        // ... and a glob give the same inputs.
        assert_eq!(files, discover::discover(&[seeds.join("*")]).unwrap());
        let opts = default();
        let articles: Vec<Article> = files.iter().flat_map(|f| read_file(f, &opts)).map(|r| r.unwrap()).collect();
        let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "000_9a8c5db4834b4168",
                "001_dd1f7725e41c831a",
                "002_afcfc646e43ddad3",
                "003_20802599ec7217eb",
                "004_1b719ca6769c3a3b"
            ]
        );
        let a = &articles[0];
        assert_eq!(
            a.title.as_deref(),
            Some("Update: 'Next time in Moscow?' - Five takeaways after Trump and Putin's Alaska summit")
        );
        assert!(a.excerpt.as_deref().is_some_and(|e| e.starts_with("With no ceasefire")));
        assert!(a.body.starts_with("\nIt has been recently reported"), "{:?}", &a.body[..40]);
        assert_eq!(a.published.as_deref(), Some("2025-08-16T05:01:19"));
        assert_eq!(a.author.as_deref(), Some("badely"));
        assert_eq!(a.tags, vec!["News"]);
        let bytes = std::fs::read(&files[0].path).unwrap();
        assert_eq!(&bytes[a.source.body_offset..], a.body.as_bytes());
        let before = std::str::from_utf8(&bytes[..a.source.body_offset]).unwrap();
        assert!(before.starts_with("---\n") && before.ends_with("\n---\n"), "{before}");
        for a in &articles[1..] {
            assert_eq!((a.title.as_deref(), a.source.body_offset), (None, 0));
            assert_eq!(a.outlet_from, OutletFrom::Filename);
        }
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use concord_core::text::mix64;

    const PIECES: &[&str] = &[
        "---\n",
        "+++\n",
        "...\n",
        "title",
        ": ",
        ":",
        "\"",
        "'",
        "\\",
        "\\u",
        "d800",
        "\\udc00",
        "[",
        "]",
        "{",
        "}",
        ",",
        "- ",
        "  ",
        "\u{3000}",
        "\t",
        "\n",
        "\r\n",
        "#",
        "|",
        ">-",
        "é",
        "😀",
        "\u{feff}",
        "\"text\"",
        "1",
        "null",
        "key = \"v\"\n",
        "text",
        "\0",
        "\u{FFFD}",
    ];

    fn ctx() -> Ctx {
        Ctx {
            path: "x".into(),
            id_base: "x".into(),
            file_stem: "x".into(),
            format: "txt".into(),
            fields: FieldMap::default(),
            outlet: None,
            utf8: Utf8Policy::Lossy,
            max_bytes: 1 << 20,
            text_join: None,
        }
    }

    /// Random mixes of syntax fragments never panic and keep the body/offset invariant.
    #[test]
    fn random_inputs_never_panic() {
        let ctx = ctx();
        let mut state = 7u64;
        for _ in 0..3000 {
            state = mix64(state);
            let n = (state % 40) as usize;
            let mut s = String::new();
            for _ in 0..n {
                state = mix64(state);
                s.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            for md in [false, true] {
                if let Ok(a) = read_text(s.clone(), md, &ctx, Vec::new()) {
                    assert_eq!(&s[a.source.body_offset..], a.body);
                }
            }
            let _ = read_json(&s, &ctx, Vec::new());
            let _ = json::parse(&s);
            let _ = frontmatter::parse_yaml(&s, 2);
        }
    }
}
