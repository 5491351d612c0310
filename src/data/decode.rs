//! Text encodings of data files: what Excel and the export tools write.
//!
//! UTF-8 (with or without BOM) is taken as is; UTF-16 needs its BOM (Excel's
//! "Unicode text"); anything else that is not valid UTF-8 is a legacy
//! encoding, guessed with `chardetng` (in practice GBK/GB18030: Excel's
//! zh-CN "CSV (逗号分隔)"). `--encoding` overrides the guess. Decoding keeps
//! every line break, so line numbers are those of the file.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use super::error::{DataError, DataErrorKind};

/// A file's text and the encoding it was read in.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a> {
    /// Without BOM.
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
    /// The encoding was guessed (not UTF-8, not marked by a BOM, not forced).
    pub guessed: bool,
}

/// The encoding named by `label` (`gbk`, `gb18030`, `utf-8`, `utf-16le`,
/// `big5`, … as the WHATWG Encoding Standard names them).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes a data file. `forced` is `--encoding`. Bytes that are not valid
/// in the encoding are an error naming the line of the first of them.
pub fn decode<'a>(
    file: &str,
    bytes: &'a [u8],
    forced: Option<&'static Encoding>,
) -> Result<Decoded<'a>, Box<DataError>> {
    let (encoding, body, guessed) = match forced {
        Some(e) => {
            // a BOM of the same encoding is not text
            let body = match Encoding::for_bom(bytes) {
                Some((bom, len)) if bom == e => bytes.get(len..).unwrap_or_default(),
                _ => bytes,
            };
            (e, body, false)
        }
        None => match Encoding::for_bom(bytes) {
            Some((e, len)) => (e, bytes.get(len..).unwrap_or_default(), false),
            None if std::str::from_utf8(bytes).is_ok() => (UTF_8, bytes, false),
            None => (guess(bytes), bytes, true),
        },
    };
    let text = if encoding == UTF_8 {
        match std::str::from_utf8(body) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                return Err(Box::new(invalid(
                    file,
                    body,
                    e.valid_up_to(),
                    encoding,
                    guessed,
                )))
            }
        }
    } else {
        match encoding.decode_without_bom_handling_and_without_replacement(body) {
            Some(s) => Cow::Owned(s.into_owned()),
            None => {
                let at = first_bad_byte(encoding, body);
                return Err(Box::new(invalid(file, body, at, encoding, guessed)));
            }
        }
    };
    Ok(Decoded {
        text,
        encoding,
        guessed,
    })
}

/// The legacy encoding `bytes` are most likely in. Chinese exports are
/// GBK/GB18030; `chardetng` tells them from Big5, Shift_JIS and the rest.
/// GBK is decoded as GB18030, its superset.
fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    // `cn`: the exports come from Chinese shops
    let e = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if e == encoding_rs::GBK {
        GB18030
    } else if e == UTF_16LE || e == UTF_16BE {
        // never without a BOM
        GB18030
    } else {
        e
    }
}

/// The offset of the first byte `encoding` cannot decode.
fn first_bad_byte(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(4096);
    let mut read = 0;
    while let Some(rest) = bytes.get(read..).filter(|rest| !rest.is_empty()) {
        out.clear();
        let (result, n) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        match result {
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                let consumed = read + n;
                return consumed.saturating_sub(usize::from(bad) + usize::from(after));
            }
            encoding_rs::DecoderResult::InputEmpty => return bytes.len(),
            encoding_rs::DecoderResult::OutputFull => {
                read += n;
                out.reserve(4096);
            }
        }
    }
    bytes.len()
}

fn invalid(
    file: &str,
    bytes: &[u8],
    at: usize,
    encoding: &'static Encoding,
    guessed: bool,
) -> DataError {
    let line = 1 + bytes
        .get(..at)
        .unwrap_or(bytes)
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    DataError::new(
        file,
        line,
        None,
        DataErrorKind::BadEncoding {
            encoding: encoding.name().to_string(),
            guessed,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("f", "a,b\n".as_bytes(), None).unwrap();
        assert_eq!(
            (d.text.as_ref(), d.encoding, d.guessed),
            ("a,b\n", UTF_8, false)
        );
        let d = decode("f", "\u{feff}员工\n".as_bytes(), None).unwrap();
        assert_eq!(d.text, "员工\n");
    }

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK
            .encode("客服昵称,接待人数,平均响应(秒)\r\n乐活旗舰店:小美,931,33.6\r\n");
        let d = decode("f", &bytes, None).unwrap();
        assert_eq!(d.encoding, GB18030);
        assert!(d.guessed);
        assert_eq!(
            d.text,
            "客服昵称,接待人数,平均响应(秒)\r\n乐活旗舰店:小美,931,33.6\r\n"
        );
    }

    #[test]
    fn utf16_needs_its_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "员工\t月份\r\nE1\t2026-10\r\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let d = decode("f", &bytes, None).unwrap();
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.text, "员工\t月份\r\nE1\t2026-10\r\n");
    }

    #[test]
    fn forced_encoding_and_bad_bytes_name_the_line() {
        // valid GBK forced, and UTF-8 forced on GBK bytes: line 2 is bad
        let (bytes, _, _) = encoding_rs::GBK.encode("a,b\n小美,1\n");
        let d = decode("f", &bytes, encoding_for_label("gbk")).unwrap();
        assert_eq!(d.text, "a,b\n小美,1\n");
        let e = decode("f", &bytes, Some(UTF_8)).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(matches!(e.kind, DataErrorKind::BadEncoding { .. }));
    }
}
