//! S3: the bucket and path prefix of a cost and usage report, and AWS region codes.

use super::aws::Partition;
use super::text::{describe_char, excerpt, first_foreign_char, is_quoted};
use super::{Checked, fail};

const BUCKET_MIN: usize = 3;
const BUCKET_MAX: usize = 63;
const PREFIX_MAX: usize = 1024;

/// Prefixes S3 reserves for itself and its own examples.
const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
/// Suffixes S3 reserves for access points, aliases and other bucket kinds.
const RESERVED_SUFFIXES: [&str; 5] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/// S3 bucket name (general purpose bucket rules): 3–63 characters of lowercase letters, digits,
/// `.` and `-`, starting and ending with a letter or digit, no `..`, not shaped like an IPv4
/// address, and none of S3's reserved prefixes and suffixes. Surrounding whitespace is trimmed.
pub fn s3_bucket_name(input: &str) -> Checked<String> {
    let name = input.trim();
    if name.is_empty() {
        return fail("Enter the name of the S3 bucket.");
    }
    if name.chars().any(char::is_whitespace) {
        return fail("A bucket name can't contain spaces.");
    }
    if is_quoted(name) {
        return fail("Remove the quotation marks around the bucket name.");
    }
    if let Some(c) = first_foreign_char(name) {
        return fail(format!(
            "The bucket name contains {}. Bucket names use lowercase letters a–z, digits, dots and hyphens only.",
            describe_char(c)
        ));
    }
    if let Some(rest) = name.strip_prefix("s3://") {
        let bucket = rest.split('/').next().unwrap_or("");
        return fail(format!(
            "Enter only the bucket's name without “s3://”{}.",
            if bucket.is_empty() {
                String::new()
            } else {
                format!(": {}", excerpt(bucket))
            }
        ));
    }
    if name.starts_with("arn:") {
        let bucket = name.rsplit(':').next().unwrap_or("").split('/').next();
        return fail(format!(
            "That is an ARN. Enter only the bucket's name{}.",
            match bucket {
                Some(b) if !b.is_empty() => format!(": {}", excerpt(b)),
                _ => String::new(),
            }
        ));
    }
    if name.contains('/') {
        return fail(
            "A bucket name can't contain “/”. Enter the folder part in the path prefix field instead.",
        );
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return fail(format!(
            "Bucket names are lowercase: use “{}”.",
            excerpt(&name.to_ascii_lowercase())
        ));
    }
    if name.contains('_') {
        return fail("Bucket names can't contain “_”. Use “-” instead.");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-')))
    {
        return fail(format!(
            "Bucket names can't contain {}. Use lowercase letters, digits, dots and hyphens only.",
            describe_char(c)
        ));
    }
    let len = name.len();
    if len < BUCKET_MIN {
        return fail(format!(
            "A bucket name has at least {BUCKET_MIN} characters; this one has {len}."
        ));
    }
    if len > BUCKET_MAX {
        return fail(format!(
            "A bucket name has at most {BUCKET_MAX} characters; this one has {len}."
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(name.chars().next()) || !alnum(name.chars().next_back()) {
        return fail("A bucket name must start and end with a lowercase letter or a digit.");
    }
    if name.contains("..") {
        return fail("A bucket name can't contain two dots in a row (“..”).");
    }
    if looks_like_ipv4(name) {
        return fail(
            "A bucket name can't look like an IP address (four numbers separated by dots).",
        );
    }
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(**p)) {
        return fail(format!(
            "Bucket names can't start with “{p}”: S3 keeps that prefix for itself. Choose another name."
        ));
    }
    if let Some(s) = RESERVED_SUFFIXES.iter().find(|s| name.ends_with(**s)) {
        return fail(format!(
            "Bucket names can't end with “{s}”: S3 keeps that ending for other kinds of resources. Choose another name."
        ));
    }
    Ok(name.to_owned())
}

/// Four dot-separated groups of 1–3 digits, like `192.168.5.4` (S3 refuses these names
/// whether or not the numbers are a real address).
fn looks_like_ipv4(name: &str) -> bool {
    let groups: Vec<&str> = name.split('.').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Path prefix inside the bucket where reports are written: may be empty; no leading `/` and no
/// empty segment (`//`). Surrounding whitespace is trimmed.
pub fn s3_path_prefix(input: &str) -> Checked<String> {
    let prefix = input.trim();
    if prefix.is_empty() {
        return Ok(String::new());
    }
    if prefix.starts_with("s3://") {
        return fail(
            "Enter only the path inside the bucket, without “s3://” and the bucket name (for example reports/spot).",
        );
    }
    if prefix.starts_with('/') {
        return fail(format!(
            "The path prefix can't start with “/”. Remove it: {}.",
            excerpt(prefix.trim_start_matches('/'))
        ));
    }
    if prefix.contains("//") {
        return fail("The path prefix can't contain “//”. Remove the extra slash.");
    }
    if let Some(c) = prefix.chars().find(|c| c.is_control()) {
        return fail(format!("The path prefix contains {}.", describe_char(c)));
    }
    if prefix.len() > PREFIX_MAX {
        return fail(format!(
            "The path prefix can be at most {PREFIX_MAX} bytes long; this one has {}.",
            prefix.len()
        ));
    }
    Ok(prefix.to_owned())
}

/// AWS region code, like `us-east-1`, `us-gov-west-1` or `cn-north-1`: a two-letter area, an
/// optional `gov`/`iso*` part, one or two direction words, and a number. Any case and
/// surrounding whitespace accepted; returned lowercase.
pub fn aws_region(input: &str) -> Checked<String> {
    let region = input.trim().to_ascii_lowercase();
    if region.is_empty() {
        return fail("Enter the AWS region, like us-east-1.");
    }
    if region_shape(&region) {
        return Ok(region);
    }
    // An availability zone is a region plus one letter: name the region.
    if let Some(last) = region.chars().last().filter(char::is_ascii_lowercase) {
        let base = &region[..region.len() - last.len_utf8()];
        if region_shape(base) {
            return fail(format!(
                "“{region}” is an availability zone. Enter its region instead: {base}."
            ));
        }
    }
    if region.contains(' ') || region.contains('(') {
        return fail(
            "Enter the region's code, like us-east-1, not its display name (for example “US East (N. Virginia)”).",
        );
    }
    fail(format!(
        "“{}” is not an AWS region code. Region codes look like us-east-1, eu-west-2, us-gov-west-1 or cn-north-1.",
        excerpt(&region)
    ))
}

fn region_shape(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let is_word =
        |p: &&str| !p.is_empty() && p.len() <= 12 && p.bytes().all(|b| b.is_ascii_lowercase());
    match parts.as_slice() {
        [area, middle @ .., number] => {
            area.len() == 2
                && is_word(area)
                && (1..=3).contains(&middle.len())
                && middle.iter().all(is_word)
                && (1..=2).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// The partition a well-formed region code belongs to, if Spot can connect to it
/// (`None` for isolated regions like `us-iso-east-1`).
pub fn partition_of_region(region: &str) -> Option<Partition> {
    let region = aws_region(region).ok()?;
    let second = region.split('-').nth(1).unwrap_or("");
    if second.starts_with("iso") {
        None
    } else if second == "gov" {
        Some(Partition::AwsUsGov)
    } else if region.starts_with("cn-") {
        Some(Partition::AwsCn)
    } else {
        Some(Partition::Aws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(input: &str) -> String {
        match s3_bucket_name(input) {
            Ok(v) => panic!("{input:?} was accepted as {v}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn good_bucket_names() {
        for ok in [
            "abc",
            "my-cur-bucket",
            "reports.example.com",
            "1-2",
            "a1.b2-c3",
            "192.168.5",
            "1.2.3.4.5",
            "1234.5.6.7",
            "xn-valid",
            "mrap",
            "bucket-s3alias-not",
            &"a".repeat(63),
        ] {
            assert_eq!(s3_bucket_name(ok).unwrap(), ok, "{ok}");
        }
        assert_eq!(s3_bucket_name("  my-bucket\n").unwrap(), "my-bucket");
    }

    #[test]
    fn bucket_lengths() {
        assert!(msg("ab").contains("at least 3"));
        assert!(msg(&"a".repeat(64)).contains("at most 63"));
        assert!(msg("").contains("Enter the name"));
    }

    #[test]
    fn bucket_characters() {
        let m = msg("My-Bucket");
        assert!(m.contains("lowercase") && m.contains("“my-bucket”"), "{m}");
        assert!(msg("my_bucket").contains("“-” instead"));
        assert!(msg("my bucket").contains("spaces"));
        assert!(msg("my!bucket").contains("“!”"));
        assert!(msg("bück").contains("U+00FC"));
        assert!(msg("b\u{0}ck").contains("control"));
        assert!(msg("\"bucket\"").contains("quotation marks"));
    }

    #[test]
    fn bucket_pasted_as_uri_arn_or_path() {
        let m = msg("s3://my-bucket/reports");
        assert!(m.contains("s3://") && m.contains(": my-bucket."), "{m}");
        let m = msg("arn:aws:s3:::my-bucket");
        assert!(m.contains("ARN") && m.contains(": my-bucket."), "{m}");
        assert!(msg("my-bucket/reports").contains("path prefix"));
    }

    #[test]
    fn bucket_start_end_and_dots() {
        for bad in ["-abc", "abc-", ".abc", "abc."] {
            assert!(msg(bad).contains("start and end"), "{bad}");
        }
        assert!(msg("a..b").contains("“..”"));
    }

    #[test]
    fn ip_shaped_bucket_names() {
        for bad in ["192.168.5.4", "1.2.3.4", "999.999.999.999", "10.0.0.001"] {
            assert!(msg(bad).contains("IP address"), "{bad}");
        }
    }

    #[test]
    fn reserved_prefixes_and_suffixes() {
        // Spelled out rather than reusing the constants, so that dropping one from them fails.
        for p in ["xn--", "sthree-", "amzn-s3-demo-"] {
            let m = msg(&format!("{p}bucket"));
            assert!(m.contains(&format!("start with “{p}”")), "{m}");
        }
        for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
            let m = msg(&format!("bucket{s}"));
            assert!(m.contains(&format!("end with “{s}”")), "{m}");
        }
    }

    #[test]
    fn path_prefixes() {
        assert_eq!(s3_path_prefix("").unwrap(), "");
        assert_eq!(s3_path_prefix("  ").unwrap(), "");
        assert_eq!(s3_path_prefix("reports").unwrap(), "reports");
        assert_eq!(s3_path_prefix("reports/spot/").unwrap(), "reports/spot/");
        assert_eq!(s3_path_prefix("Rapports été").unwrap(), "Rapports été");
        let m = s3_path_prefix("/reports").unwrap_err().message;
        assert!(
            m.contains("start with “/”") && m.contains(": reports."),
            "{m}"
        );
        assert!(s3_path_prefix("a//b").unwrap_err().message.contains("“//”"));
        assert!(
            s3_path_prefix("s3://b/x")
                .unwrap_err()
                .message
                .contains("s3://")
        );
        assert!(
            s3_path_prefix("a\u{7}b")
                .unwrap_err()
                .message
                .contains("control")
        );
        assert!(s3_path_prefix(&"a".repeat(1024)).is_ok());
        assert!(
            s3_path_prefix(&"a".repeat(1025))
                .unwrap_err()
                .message
                .contains("1024")
        );
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-4",
            "us-gov-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "il-central-1",
            "us-iso-east-1",
            "us-isob-east-1",
        ] {
            assert_eq!(aws_region(ok).unwrap(), ok);
        }
        assert_eq!(aws_region(" US-EAST-1 ").unwrap(), "us-east-1");
        let m = aws_region("us-east-1a").unwrap_err().message;
        assert!(
            m.contains("availability zone") && m.contains(": us-east-1."),
            "{m}"
        );
        let m = aws_region("US East (N. Virginia)").unwrap_err().message;
        assert!(m.contains("display name"), "{m}");
        for bad in [
            "useast1",
            "us-east",
            "usa-east-1",
            "us-east-123",
            "us--1",
            "us-1",
            "-us-east-1",
            "us-east-1-",
        ] {
            assert!(aws_region(bad).is_err(), "{bad}");
        }
        assert!(aws_region("").unwrap_err().message.contains("Enter"));
        assert!(aws_region("ü").is_err());
    }

    #[test]
    fn region_partitions() {
        assert_eq!(partition_of_region("us-east-1"), Some(Partition::Aws));
        assert_eq!(
            partition_of_region("us-gov-east-1"),
            Some(Partition::AwsUsGov)
        );
        assert_eq!(partition_of_region("cn-north-1"), Some(Partition::AwsCn));
        assert_eq!(partition_of_region("us-iso-east-1"), None);
        assert_eq!(partition_of_region("nowhere"), None);
    }
}
