//! Small helpers: timestamps in Spot's format, random identifiers.

use rand::{Rng, RngCore};
use time::{OffsetDateTime, format_description::FormatItem, macros::format_description};

const ISO_MS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// ISO-8601 UTC with milliseconds and `Z`, e.g. `2026-11-22T10:43:42.538Z`.
pub fn iso(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(ISO_MS)
        .expect("UTC timestamps format")
}

pub fn now_iso() -> String {
    iso(OffsetDateTime::now_utc())
}

pub fn random_u32() -> u32 {
    rand::rng().random()
}

/// A 12-digit organization number.
pub fn random_org_id() -> u64 {
    rand::rng()
        .random_range(onramp_core::ids::OrganizationId::MIN..=onramp_core::ids::OrganizationId::MAX)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// An external ID: 32 characters of `[A-Za-z0-9]` (a subset of IAM's allowed alphabet that
/// survives copy and paste anywhere).
pub fn random_external_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Creates `path` with mode 0600 from the start (never readable by others, not even briefly);
/// fails if it exists. The database and the key file are made this way.
pub fn create_private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_format() {
        let t = time::macros::datetime!(2026-11-22 10:43:42.538 UTC);
        assert_eq!(iso(t), "2026-11-22T10:43:42.538Z");
        let t = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        assert_eq!(iso(t), "2026-01-02T03:04:05.000Z");
    }

    #[test]
    fn external_ids_are_valid_and_distinct() {
        let a = random_external_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, random_external_id());
        let o = random_org_id();
        assert_eq!(o.to_string().len(), 12);
    }
}
