//! Compression dictionaries (Compression Dictionary Transport): Chromium keeps a response sent
//! with `Use-As-Dictionary` and, on a later request that the pattern matches, names the one it
//! holds by its SHA-256 (`Available-Dictionary`); a file compressed against it is then sent as
//! `Content-Encoding: dcz`. The build writes those files beside the originals (`x.wasm.dcz`, see
//! `scripts/dictionary_variants.py`): the console's main module against the sign-in bundle's
//! (they share the framework, so it costs about half its brotli size after sign-up) and each
//! pack against its bundle's main module. Browsers without the feature, or holding another
//! dictionary, get the brotli file as before.

use axum::http::{HeaderMap, header};
use base64::{
    Engine, alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A `.dcz` file starts with a Zstandard skippable frame holding the dictionary's SHA-256.
const MAGIC: [u8; 8] = [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00];
const HEADER_LEN: usize = MAGIC.len() + 32;

/// What `Use-As-Dictionary` announces: the dictionary serves for the wasm modules and packs
/// (URL pattern syntax; the wasm chunks loaded one by one match too, for the price of a request
/// header, since one pattern cannot name two extensions).
pub const USE_AS_DICTIONARY: &str = "match=\"/*.wasm*\"";

#[derive(Default)]
pub struct Dictionaries {
    /// URL path of a file with a `.dcz` sibling → SHA-256 of the dictionary that sibling needs.
    variants: HashMap<String, [u8; 32]>,
    /// URL paths of the files some sibling needs as its dictionary: they say so when sent.
    dictionaries: HashSet<String>,
}

impl Dictionaries {
    /// Reads the `.dcz` files at the top of `dist` (where the build writes every wasm file) and
    /// finds the files they were compressed against among the wasm files there.
    pub fn load(dist: &Path) -> Self {
        let mut out = Self::default();
        let Ok(entries) = std::fs::read_dir(dist) else {
            return out;
        };
        let names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        for name in &names {
            let Some(original) = name.strip_suffix(".dcz") else {
                continue;
            };
            if let Some(hash) = read_header(&dist.join(name)) {
                out.variants.insert(format!("/{original}"), hash);
            }
        }
        let wanted: HashSet<[u8; 32]> = out.variants.values().copied().collect();
        for name in names
            .iter()
            .filter(|n| n.ends_with(".wasm") || n.ends_with(".wasmpack"))
        {
            if let Ok(bytes) = std::fs::read(dist.join(name))
                && wanted.contains(&<[u8; 32]>::from(Sha256::digest(&bytes)))
            {
                out.dictionaries.insert(format!("/{name}"));
            }
        }
        out
    }

    /// The answer for this path depends on `Available-Dictionary` (caches must know).
    pub fn has_variant(&self, url_path: &str) -> bool {
        self.variants.contains_key(url_path)
    }

    /// This file is the dictionary of some other file: it is sent with `Use-As-Dictionary`.
    pub fn is_dictionary(&self, url_path: &str) -> bool {
        self.dictionaries.contains(url_path)
    }

    /// The `.dcz` file (relative to `dist`) to send for `url_path`, and the dictionary hash its
    /// header must hold, when the request says the browser holds that dictionary and takes `dcz`.
    pub fn variant(
        &self,
        url_path: &str,
        relative: &Path,
        headers: &HeaderMap,
    ) -> Option<(PathBuf, [u8; 32])> {
        let wanted = self.variants.get(url_path)?;
        let held = headers
            .get("available-dictionary")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_hash)?;
        let accept = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok());
        (held == *wanted && crate::static_files::names_coding(accept, "dcz")).then(|| {
            let mut name = relative.as_os_str().to_owned();
            name.push(".dcz");
            (PathBuf::from(name), *wanted)
        })
    }
}

/// `body` (a `.dcz` file read for an answer) still is what was found at start-up: compressed
/// against `dictionary` (a rebuild may have rewritten it since; a browser refuses a body whose
/// header names another dictionary than the one it offered).
pub fn is_against(body: &[u8], dictionary: &[u8; 32]) -> bool {
    body.len() > HEADER_LEN && dictionary_of(body) == Some(*dictionary)
}

/// `:<base64>:` (a structured-field byte sequence) holding a SHA-256 → its 32 bytes. Padding
/// is optional, as structured-field parsers must accept.
fn parse_hash(value: &str) -> Option<[u8; 32]> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let inner = value.trim().strip_prefix(':')?.strip_suffix(':')?;
    LENIENT.decode(inner).ok()?.try_into().ok()
}

fn read_header(path: &Path) -> Option<[u8; 32]> {
    use std::io::Read;
    let mut head = [0u8; HEADER_LEN];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    dictionary_of(&head)
}

/// The dictionary hash a `.dcz` header (its first bytes) names, if it is one.
fn dictionary_of(head: &[u8]) -> Option<[u8; 32]> {
    let hash = head.get(..HEADER_LEN)?.strip_prefix(&MAGIC)?;
    hash.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn available_dictionary_is_a_byte_sequence_of_32_bytes() {
        let hash = [7u8; 32];
        let field = format!(":{}:", STANDARD.encode(hash));
        assert_eq!(parse_hash(&field), Some(hash));
        let unpadded = field.replace('=', "");
        assert_ne!(unpadded, field);
        assert_eq!(parse_hash(&unpadded), Some(hash), "padding is optional");
        assert_eq!(parse_hash(&format!(" {field} ")), Some(hash));
        assert_eq!(parse_hash(&STANDARD.encode(hash)), None, "colons required");
        assert_eq!(
            parse_hash(&format!(":{}:", STANDARD.encode([7u8; 31]))),
            None
        );
        assert_eq!(parse_hash(":not base64!:"), None);
        assert_eq!(parse_hash("::"), None);
    }
}
