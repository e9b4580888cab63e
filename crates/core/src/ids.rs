//! Identifier formats used by Spot: accounts `act-` + 8 lowercase hex, users `u-` + 8 hex,
//! organizations a 12-digit number (sent as a number or a string).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

fn is_lower_hex8(s: &str) -> bool {
    s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `act-` followed by exactly 8 lowercase hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        s.strip_prefix("act-")
            .filter(|rest| is_lower_hex8(rest))
            .map(|_| Self(s.to_owned()))
    }
    /// Builds an id from 32 random bits (the server supplies the randomness).
    pub fn from_bits(bits: u32) -> Self {
        Self(format!("act-{bits:08x}"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AccountId::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not an account id: {s:?}")))
    }
}

/// `u-` followed by exactly 8 lowercase hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    pub fn parse(s: &str) -> Option<Self> {
        s.strip_prefix("u-")
            .filter(|rest| is_lower_hex8(rest))
            .map(|_| Self(s.to_owned()))
    }
    pub fn from_bits(bits: u32) -> Self {
        Self(format!("u-{bits:08x}"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for UserId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        UserId::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a user id: {s:?}")))
    }
}

/// A 12-digit organization number. Spot sends it as a JSON number in some places and a string
/// in others, so both are accepted; it is always written as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganizationId(u64);

impl OrganizationId {
    pub const MIN: u64 = 100_000_000_000;
    pub const MAX: u64 = 999_999_999_999;

    pub fn new(n: u64) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(Self(n))
    }
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().and_then(Self::new)
    }
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OrganizationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for OrganizationId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for OrganizationId {
    /// A number or a string of digits. A visitor rather than an untagged enum: serde buffers
    /// untagged input, and that machinery weighed on every screen's first load.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumberOrDigits;
        impl serde::de::Visitor<'_> for NumberOrDigits {
            type Value = OrganizationId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a 12-digit organization id")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<OrganizationId, E> {
                OrganizationId::new(n).ok_or_else(|| E::custom("not a 12-digit organization id"))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<OrganizationId, E> {
                OrganizationId::parse(s).ok_or_else(|| E::custom("not a 12-digit organization id"))
            }
        }
        d.deserialize_any(NumberOrDigits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids() {
        assert!(AccountId::parse("act-1a2b3c4d").is_some());
        assert!(AccountId::parse("act-1A2B3C4D").is_none());
        assert!(AccountId::parse("act-1a2b3c4").is_none());
        assert!(AccountId::parse("acc-1a2b3c4d").is_none());
        assert_eq!(AccountId::from_bits(0xdead).as_str(), "act-0000dead");
    }

    #[test]
    fn organization_id_accepts_number_and_string() {
        let a: OrganizationId = serde_json::from_str("606079874744").unwrap();
        let b: OrganizationId = serde_json::from_str("\"606079874744\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"606079874744\"");
        assert!(serde_json::from_str::<OrganizationId>("12345").is_err());
        for bad in [
            "\"12345\"",
            "-606079874744",
            "606079874744.0",
            "null",
            "[606079874744]",
            "\"60607987474a\"",
        ] {
            assert!(
                serde_json::from_str::<OrganizationId>(bad).is_err(),
                "{bad}"
            );
        }
        // Inside a larger document (the visitor must leave the rest of the input alone).
        let pair: (OrganizationId, String) = serde_json::from_str("[606079874744, \"x\"]").unwrap();
        assert_eq!(pair, (a, "x".to_owned()));
    }
}
