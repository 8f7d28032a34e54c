//! A fast JSON writer for the reports: serde's data model written exactly as serde_json
//! writes it (compact, or pretty with a two-space indent), byte for byte, into a `Vec<u8>`.
//!
//! Why not serde_json itself: on a report's rows most of its time goes to escaping strings
//! one byte at a time and to many small writes through an `io::Write`. This writer checks
//! strings eight bytes at a time for what needs escaping and appends to a plain buffer,
//! which a caller flushes to a file in large pieces (see [`to_writer_pretty`]). The output
//! is the same as serde_json's (`to_vec` / `to_vec_pretty`) for every value, which the tests
//! check on tricky strings, floats, maps, enums and the report's own types; numbers that are
//! floats are formatted by serde_json itself.

use std::io::{self, Write};

use serde::ser::{self, Impossible, Serialize};

/// Why serialising failed: a value's `Serialize` said so, a map key was not a string or a
/// number, or writing to the sink failed.
#[derive(Debug)]
pub(crate) enum Error {
    /// Serialisation failed.
    Message(String),
    /// Flushing to the sink failed.
    Io(io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Message(m) => f.write_str(m),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Error {
        Error::Message(msg.to_string())
    }
}

type Result<T, E = Error> = std::result::Result<T, E>;

/// Appends the compact JSON of `value` to `out` (what `serde_json::to_writer` writes).
pub(crate) fn write_compact<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    value.serialize(&mut Ser::<false> { out, sink: None, depth: 0 })
}

/// Appends the pretty JSON of `value` to `out`, as serde_json's pretty printer writes it
/// when the value sits `depth` levels deep (0: a whole document).
pub(crate) fn write_pretty<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T, depth: usize) -> Result<()> {
    value.serialize(&mut Ser::<true> { out, sink: None, depth })
}

/// Bytes gathered before they are handed to the sink.
const FLUSH_AT: usize = 1 << 17;

/// Writes the pretty JSON of `value` to `sink` (what `serde_json::to_writer_pretty`
/// writes), in pieces of about 128 KiB.
pub(crate) fn to_writer_pretty<T: Serialize + ?Sized>(sink: &mut dyn Write, value: &T) -> Result<()> {
    let mut out = Vec::with_capacity(FLUSH_AT + (FLUSH_AT >> 2));
    value.serialize(&mut Ser::<true> { out: &mut out, sink: Some(&mut *sink), depth: 0 })?;
    sink.write_all(&out).map_err(Error::Io)
}

/// Pretty JSON written to a sink piece by piece: raw bytes and values at any depth, as
/// parts of one document (see [`crate::sections`]), handed to the sink in pieces of about
/// 128 KiB.
pub(crate) struct PrettySink<'w> {
    out: Vec<u8>,
    sink: &'w mut dyn Write,
}

impl<'w> PrettySink<'w> {
    /// Writing to `sink`.
    pub(crate) fn new(sink: &'w mut dyn Write) -> PrettySink<'w> {
        PrettySink { out: Vec::with_capacity(FLUSH_AT + (FLUSH_AT >> 2)), sink }
    }

    /// Appends `bytes` as they are.
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// Appends a newline and the indent of `depth` levels.
    pub(crate) fn newline(&mut self, depth: usize) {
        Ser::<true> { out: &mut self.out, sink: None, depth }.newline();
    }

    /// Appends the pretty JSON of `value` as it reads `depth` levels deep.
    pub(crate) fn value<T: Serialize + ?Sized>(&mut self, value: &T, depth: usize) -> Result<()> {
        value.serialize(&mut Ser::<true> { out: &mut self.out, sink: Some(&mut *self.sink), depth })?;
        if self.out.len() >= FLUSH_AT {
            self.sink.write_all(&self.out).map_err(Error::Io)?;
            self.out.clear();
        }
        Ok(())
    }

    /// Hands the rest to the sink.
    pub(crate) fn finish(self) -> Result<()> {
        self.sink.write_all(&self.out).map_err(Error::Io)
    }
}

/// Appends `s` as a JSON string (quotes included), escaped as serde_json escapes it:
/// `"`, `\` and control characters; everything else, non-ASCII included, as it is.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(at) = next_escape(bytes, start) {
        out.extend_from_slice(&bytes[start..at]);
        let b = bytes[at];
        match ESCAPE[b as usize] {
            b'u' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
            }
            esc => out.extend_from_slice(&[b'\\', esc]),
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The first byte at or after `from` that needs escaping.
#[inline]
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    // Eight bytes at a time.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let m = escape_mask(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if i >= bytes.len() {
        return None;
    }
    // The last few: as the last eight bytes, when those before `i` among them were checked
    // above (none needs escaping, so they flag nothing and disturb nothing), else one by one.
    match bytes.len().checked_sub(8) {
        Some(last) if last >= from => {
            let m = escape_mask(u64::from_le_bytes(bytes[last..].try_into().expect("eight bytes")));
            (m != 0).then(|| last + (m.trailing_zeros() / 8) as usize)
        }
        _ => (i..bytes.len()).find(|&k| ESCAPE[bytes[k] as usize] != 0),
    }
}

/// For eight bytes read little-endian: a mask whose lowest set bit is the high bit of the
/// first byte equal to `byte`; 0 when there is none (exact in the same way as
/// [`escape_mask`]).
#[inline]
pub(crate) fn byte_mask(w: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = w ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// For eight bytes read little-endian: a mask whose lowest set bit is the high bit of the
/// first byte that is a control character, `"` or `\`; 0 when there is none. (The classic
/// "has a byte less than n" tricks: higher bits may be set wrongly after a byte that needs
/// escaping, because of borrows, but never before one, so the lowest set bit is exact.)
#[inline]
fn escape_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let s = w ^ (ONES * u64::from(b'\\'));
    let slash = s.wrapping_sub(ONES) & !s;
    (control | quote | slash) & HIGH
}

/// Per byte: 0 when it stands for itself, else the letter of its escape (`u`: `\u00XX`).
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Two spaces a level, for a newline and the indent after it.
const INDENT: &[u8] = b"\n                                                                ";

/// The serializer: appends to `out`; with a sink, hands `out` over whenever it has grown
/// past [`FLUSH_AT`] at the end of an element or entry.
struct Ser<'a, const PRETTY: bool> {
    out: &'a mut Vec<u8>,
    sink: Option<&'a mut dyn Write>,
    depth: usize,
}

impl<'a, const PRETTY: bool> Ser<'a, PRETTY> {
    #[inline]
    fn newline(&mut self) {
        let n = 2 * self.depth;
        if n < INDENT.len() {
            self.out.extend_from_slice(&INDENT[..n + 1]);
            return;
        }
        self.out.push(b'\n');
        let mut left = n;
        while left > 0 {
            let k = left.min(INDENT.len() - 1);
            self.out.extend_from_slice(&INDENT[1..1 + k]);
            left -= k;
        }
    }

    #[inline]
    fn maybe_flush(&mut self) -> Result<()> {
        if self.out.len() >= FLUSH_AT {
            if let Some(sink) = self.sink.as_mut() {
                sink.write_all(&self.out[..]).map_err(Error::Io)?;
                self.out.clear();
            }
        }
        Ok(())
    }

    #[inline]
    fn uint(&mut self, v: impl itoa::Integer) {
        self.out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// Opens an array or object (`[`/`{`); `empty` writes the closing bracket at once, as
    /// serde_json does for a length of zero.
    fn open(&mut self, bracket: u8, empty: bool) -> Compound<'_, 'a, PRETTY> {
        self.out.push(bracket);
        if empty {
            self.out.push(bracket + 2);
            Compound { ser: self, state: State::Empty }
        } else {
            self.depth += 1;
            Compound { ser: self, state: State::First }
        }
    }
}

#[derive(PartialEq, Eq)]
enum State {
    /// Written whole already (`[]`, `{}`).
    Empty,
    /// Nothing inside yet.
    First,
    /// Something inside.
    Rest,
}

/// An array or object being written.
struct Compound<'s, 'a, const PRETTY: bool> {
    ser: &'s mut Ser<'a, PRETTY>,
    state: State,
}

impl<const PRETTY: bool> Compound<'_, '_, PRETTY> {
    /// Before an element or a key: the separator and, pretty, the newline and indent.
    #[inline]
    fn item(&mut self) {
        if self.state == State::First {
            self.state = State::Rest;
        } else {
            self.ser.out.push(b',');
        }
        if PRETTY {
            self.ser.newline();
        }
    }

    #[inline]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item();
        value.serialize(&mut *self.ser)?;
        self.ser.maybe_flush()
    }

    #[inline]
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.item();
        key.serialize(KeySer { out: &mut *self.ser.out })?;
        self.ser.out.extend_from_slice(if PRETTY { b": " } else { b":" });
        Ok(())
    }

    #[inline]
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.ser)?;
        self.ser.maybe_flush()
    }

    #[inline]
    fn field(&mut self, name: &str, value: &(impl Serialize + ?Sized)) -> Result<()> {
        self.item();
        write_str(self.ser.out, name);
        self.ser.out.extend_from_slice(if PRETTY { b": " } else { b":" });
        self.value(value)
    }

    /// Closes it with `bracket`.
    fn close(self, bracket: u8) {
        match self.state {
            State::Empty => {}
            State::First => {
                self.ser.depth -= 1;
                self.ser.out.push(bracket);
            }
            State::Rest => {
                self.ser.depth -= 1;
                if PRETTY {
                    self.ser.newline();
                }
                self.ser.out.push(bracket);
            }
        }
    }

    /// Closes the `{"Variant": ...}` object around a tuple or struct variant.
    fn close_variant(self, bracket: u8) {
        let Compound { ser, state } = self;
        Compound { ser: &mut *ser, state }.close(bracket);
        Compound { ser, state: State::Rest }.close(b'}');
    }
}

impl<'s, 'a, const PRETTY: bool> ser::Serializer for &'s mut Ser<'a, PRETTY> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'s, 'a, PRETTY>;
    type SerializeTuple = Compound<'s, 'a, PRETTY>;
    type SerializeTupleStruct = Compound<'s, 'a, PRETTY>;
    type SerializeTupleVariant = Compound<'s, 'a, PRETTY>;
    type SerializeMap = Compound<'s, 'a, PRETTY>;
    type SerializeStruct = Compound<'s, 'a, PRETTY>;
    type SerializeStructVariant = Compound<'s, 'a, PRETTY>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    // Floats are rare in reports: serde_json formats them (and writes `null` for NaN and
    // the infinities), so they are its bytes by construction.
    fn serialize_f32(self, v: f32) -> Result<()> {
        serde_json::to_writer(&mut *self.out, &v).map_err(|e| Error::Message(e.to_string()))
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        serde_json::to_writer(&mut *self.out, &v).map_err(|e| Error::Message(e.to_string()))
    }
    fn serialize_char(self, v: char) -> Result<()> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        let mut seq = self.open(b'[', false);
        for b in v {
            seq.element(b)?;
        }
        seq.close(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        let mut map = self.open(b'{', false);
        map.field(variant, value)?;
        map.close(b'}');
        Ok(())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(self.open(b'[', len == Some(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self::SerializeTupleStruct> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        let mut map = self.open(b'{', false);
        map.item();
        write_str(map.ser.out, variant);
        let Compound { ser, .. } = map;
        ser.out.extend_from_slice(if PRETTY { b": " } else { b":" });
        Ok(ser.open(b'[', len == 0))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.open(b'{', len == Some(0)))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self::SerializeStruct> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        let mut map = self.open(b'{', false);
        map.item();
        write_str(map.ser.out, variant);
        let Compound { ser, .. } = map;
        ser.out.extend_from_slice(if PRETTY { b": " } else { b":" });
        Ok(ser.open(b'{', len == 0))
    }
}

/// The compound serialisers that only differ in serde's trait and method names: arrays
/// (sequences, tuples, tuple structs and variants: `element`) and objects with `'static`
/// keys (structs and struct variants: `field`), closed by `close` or `close_variant`.
macro_rules! compound {
    ($trait:ident, $method:ident, $close:ident, $bracket:literal) => {
        impl<const PRETTY: bool> ser::$trait for Compound<'_, '_, PRETTY> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.element(value)
            }
            fn end(self) -> Result<()> {
                self.$close($bracket);
                Ok(())
            }
        }
    };
    ($trait:ident, $close:ident, $bracket:literal, fields) => {
        impl<const PRETTY: bool> ser::$trait for Compound<'_, '_, PRETTY> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
                self.field(key, value)
            }
            fn end(self) -> Result<()> {
                self.$close($bracket);
                Ok(())
            }
        }
    };
}

compound!(SerializeSeq, serialize_element, close, b']');
compound!(SerializeTuple, serialize_element, close, b']');
compound!(SerializeTupleStruct, serialize_field, close, b']');
compound!(SerializeTupleVariant, serialize_field, close_variant, b']');
compound!(SerializeStruct, close, b'}', fields);
compound!(SerializeStructVariant, close_variant, b'}', fields);

impl<const PRETTY: bool> ser::SerializeMap for Compound<'_, '_, PRETTY> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close(b'}');
        Ok(())
    }
}

/// Writes a map key: strings as they are; integers, booleans and finite floats quoted, as
/// serde_json does; anything else is an error ("key must be a string").
struct KeySer<'a> {
    out: &'a mut Vec<u8>,
}

impl KeySer<'_> {
    fn quoted(self, text: &[u8]) -> Result<()> {
        self.out.push(b'"');
        self.out.extend_from_slice(text);
        self.out.push(b'"');
        Ok(())
    }
    fn int(self, v: impl itoa::Integer) -> Result<()> {
        self.quoted(itoa::Buffer::new().format(v).as_bytes())
    }
    fn float(self, v: &(impl Serialize + Copy)) -> Result<()> {
        let mut text = Vec::new();
        serde_json::to_writer(&mut text, v).map_err(|e| Error::Message(e.to_string()))?;
        if text == b"null" {
            return Err(Error::Message("float key must be finite (got NaN or +/-inf)".into()));
        }
        self.quoted(&text)
    }
}

fn key_must_be_a_string() -> Error {
    Error::Message("key must be a string".into())
}

impl ser::Serializer for KeySer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<()> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result<()> {
        self.quoted(if v { b"true" } else { b"false" })
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.int(v)
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.int(v)
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.int(v)
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.int(v)
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.int(v)
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.int(v)
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.int(v)
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.int(v)
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        self.int(v)
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.float(&v)
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.float(&v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<()> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<()> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<()> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<()> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    /// Both forms of `v` as this writer gives them, checked against serde_json's.
    fn same<T: Serialize + ?Sized>(v: &T) {
        let mut compact = Vec::new();
        write_compact(&mut compact, v).unwrap();
        assert_eq!(String::from_utf8(compact).unwrap(), serde_json::to_string(v).unwrap());
        let mut pretty = Vec::new();
        write_pretty(&mut pretty, v, 0).unwrap();
        assert_eq!(String::from_utf8(pretty).unwrap(), serde_json::to_string_pretty(v).unwrap());
        let mut streamed = Vec::new();
        to_writer_pretty(&mut streamed, v).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), serde_json::to_string_pretty(v).unwrap());
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        same(&every_ascii);
        for s in [
            "",
            "plain",
            "\"",
            "\\",
            "quote \"in\" the middle and a \\ backslash",
            "\u{0}\u{1}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b}\u{1f} \u{7f}",
            "non-ASCII: é ü ß 中文 Ελληνικά “curly” ‘quotes’ – — …",
            "emoji: 🦀 👩‍👩‍👧 🇪🇪 and a zero-width joiner\u{200d}, BOM \u{feff}, LS \u{2028} PS \u{2029}",
            "\u{10ffff}\u{fffd}",
        ] {
            same(s);
        }
        // An escape at every offset of and around the eight-byte chunks.
        for n in 0..40 {
            for esc in ["\"", "\\", "\n", "\n ", "\u{1}\u{1}", "\u{1f} !", "é", "🦀"] {
                let mut s = "x".repeat(n);
                s.push_str(esc);
                s.push_str(&"y".repeat(40 - n));
                same(&s);
                same(&format!("{esc}{s}{esc}"));
            }
        }
    }

    /// The first byte needing an escape, one byte at a time.
    fn first_escape(w: [u8; 8]) -> Option<usize> {
        w.iter().position(|&b| ESCAPE[b as usize] != 0)
    }

    fn first_flagged(w: [u8; 8]) -> Option<usize> {
        let m = escape_mask(u64::from_le_bytes(w));
        (m != 0).then(|| (m.trailing_zeros() / 8) as usize)
    }

    #[test]
    fn the_escape_mask_finds_the_first_byte_to_escape() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut w = [b'a'; 8];
                w[pos] = b;
                assert_eq!(first_flagged(w), first_escape(w), "byte {b:#x} at {pos}");
            }
        }
        // Pairs of bytes next to each other, which could borrow into one another.
        let edges = [0u8, 1, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0x81, 0xa2, 0xdc, 0xff];
        for a in 0..=255u8 {
            for b in edges {
                for w in [[a, b, a, b, a, b, a, b], [b, a, b, a, b, a, b, a], [b' ', b' ', a, b, b' ', a, 0x20, b]] {
                    assert_eq!(first_flagged(w), first_escape(w), "{w:x?}");
                }
            }
        }
    }

    #[test]
    fn numbers_and_floats() {
        same(&(u64::MAX, i64::MIN, 0u8, -1i8, u128::MAX, i128::MIN, 65535u16, -32768i16));
        let floats = [0.0, -0.0, 1.0, -1.5, 0.1, 1e-7, 1e21, 1e300, f64::MIN_POSITIVE, f64::MAX, 0.8333333333333334];
        same(&floats);
        same(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        same(&[0.1f32, 1e-10f32, f32::MAX, f32::NAN, 16777217.0f32]);
        same(&(true, false, 'x', '"', '\u{1}', '🦀', ()));
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(String);

    #[derive(Serialize)]
    struct Tuple(u8, &'static str);

    #[derive(Serialize)]
    enum E {
        A,
        B(u32),
        C(u8, Vec<u8>),
        D { x: Option<i32>, y: Vec<String> },
        EmptyTuple(),
        EmptyStruct {},
    }

    #[derive(Serialize)]
    struct Row {
        id: String,
        n: u64,
        empty: Vec<String>,
        nested: Vec<Vec<u8>>,
        map: BTreeMap<String, Vec<String>>,
        empty_map: BTreeMap<String, u8>,
        counts: BTreeMap<u32, bool>,
        opt: Option<String>,
        none: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        flat: Unit,
        newtype: Newtype,
        tuple: Tuple,
        variants: Vec<E>,
        similarity: f64,
    }

    struct Bytes(&'static [u8]);

    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    /// A sequence and a map of unknown length (as streams serialise).
    struct Unsized(usize);

    impl Serialize for Unsized {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::{SerializeMap, SerializeSeq};
            struct M(usize);
            impl Serialize for M {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut m = s.serialize_map(None)?;
                    for i in 0..self.0 {
                        m.serialize_entry(&format!("k{i}"), &i)?;
                    }
                    m.end()
                }
            }
            let mut seq = s.serialize_seq(None)?;
            for i in 0..self.0 {
                seq.serialize_element(&M(i))?;
            }
            seq.end()
        }
    }

    #[test]
    fn structures_are_laid_out_as_serde_json_lays_them_out() {
        let row = Row {
            id: "a \"1\"".into(),
            n: 7,
            empty: vec![],
            nested: vec![vec![], vec![1, 2], vec![]],
            map: BTreeMap::from([("k\n".into(), vec!["v".into()]), ("z".into(), vec![])]),
            empty_map: BTreeMap::new(),
            counts: BTreeMap::from([(3, true), (10, false)]),
            opt: Some("x".into()),
            none: None,
            skipped: None,
            flat: Unit,
            newtype: Newtype("n".into()),
            tuple: Tuple(1, "t"),
            variants: vec![
                E::A,
                E::B(2),
                E::C(3, vec![]),
                E::C(4, vec![5]),
                E::D { x: None, y: vec!["y".into()] },
                E::EmptyTuple(),
                E::EmptyStruct {},
            ],
            similarity: 0.9375,
        };
        same(&row);
        same(&vec![&row, &row]);
        same(&Vec::<Row>::new());
        same(&Bytes(b"\x00\xffab"));
        same(&Bytes(b""));
        for n in 0..4 {
            same(&Unsized(n));
        }
        same(&BTreeMap::from([(true, 1), (false, 2)]));
        same(&BTreeMap::from([('c', 1)]));
        same(&BTreeMap::from([(-5i64, 1)]));
    }

    #[test]
    fn deep_nesting_indents_past_the_indent_table() {
        let mut v = serde_json::json!("leaf");
        for i in 0..80 {
            v = if i % 2 == 0 { serde_json::json!([v, 1]) } else { serde_json::json!({ "k": v, "e": [] }) };
        }
        same(&v);
    }

    #[test]
    fn pretty_at_a_depth_is_what_the_enclosing_document_holds() {
        let inner = BTreeMap::from([("a", vec![1, 2])]);
        let whole = serde_json::to_string_pretty(&[[&inner]]).unwrap();
        let mut part = Vec::new();
        write_pretty(&mut part, &inner, 2).unwrap();
        assert!(whole.contains(std::str::from_utf8(&part).unwrap()), "{whole}");
    }

    #[test]
    fn bad_keys_and_failing_values_are_errors() {
        let mut out = Vec::new();
        assert!(write_compact(&mut out, &BTreeMap::from([(vec![1], 1)])).is_err());
        assert!(write_compact(&mut out, &BTreeMap::from([(Some(1), 1)])).is_err());
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        assert_eq!(write_compact(&mut out, &[Fails]).unwrap_err().to_string(), "no");
    }

    #[test]
    fn a_failing_sink_is_an_io_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let big = vec!["x".repeat(1000); 500];
        assert!(matches!(to_writer_pretty(&mut Full, &big), Err(Error::Io(_))));
    }

    fn value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
            "[\"\\\\\\n\\x00-\\x1f a-zé🦀]{0,20}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in any::<String>()) {
            same(&s);
        }

        #[test]
        fn strings_dense_with_escapes_are_written_as_serde_json_writes_them(
            s in "[\"\\\\\n\r\t\x00-\x1f\x7f a~é🦀]{0,40}"
        ) {
            same(&s);
        }

        #[test]
        fn any_value_is_written_as_serde_json_writes_it(v in value()) {
            same(&v);
        }
    }
}
