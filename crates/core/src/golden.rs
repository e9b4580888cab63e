//! Golden files: generated artefacts that are also shipped as files (the CloudFormation
//! templates in `public/templates/`). Tests compare the shipped file with the generator, so a
//! stale file fails; `UPDATE_GOLDEN=1 cargo test -p onramp-core` rewrites them.

/// Returns the shipped file at `path` (relative to the repository root) after asserting it
/// equals `generated`.
pub(crate) fn check(path: &str, generated: &str) -> String {
    let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&full, generated).expect("write the golden file");
    }
    let shipped = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(
        shipped, generated,
        "{path} is stale: regenerate it with UPDATE_GOLDEN=1"
    );
    shipped
}
