//! Inviting users: the words the invite dialog puts at its Email field for the server's
//! refusals, and the expiry dates of the pending list and the join page.

use super::*;
use onramp::features::invitations::card::email_problem;
use onramp_core::SpotError;
use onramp_core::time::show_date;

fn refused(code: &str, field: Option<&str>) -> ApiError {
    ApiError::Http {
        status: 409,
        errors: vec![SpotError {
            code: code.into(),
            message: "server words".into(),
            field: field.map(str::to_owned),
        }],
        request_id: None,
    }
}

#[wasm_bindgen_test]
fn dates_show_the_utc_day_with_the_month_in_words() {
    assert_eq!(show_date("2026-11-30T23:59:59.000Z"), "30 Nov 2026");
    assert_eq!(show_date("2027-01-05T00:00:00Z"), "5 Jan 2027");
    // Late on the 1st in New York is already the 2nd in UTC.
    assert_eq!(show_date("2026-03-01T22:00:00-05:00"), "2 Mar 2026");
    assert_eq!(show_date("soon"), "soon");
}

#[wasm_bindgen_test]
fn refusals_of_an_address_get_words_of_their_own() {
    let member = email_problem(&refused("USER_ALREADY_MEMBER", Some("body.email"))).unwrap();
    assert!(
        member.contains("already a user of your organization"),
        "{member}"
    );
    let pending =
        email_problem(&refused("INVITATION_ALREADY_PENDING", Some("body.email"))).unwrap();
    assert!(pending.contains("already pending"), "{pending}");
    // Inviting never reveals a registration elsewhere: that code gets no words of its own here.
    assert_eq!(
        email_problem(&refused("EMAIL_ALREADY_REGISTERED", None)),
        None
    );
    // A plain validation message is the server's own; other refusals are not the field's.
    let invalid = email_problem(&refused("ValidationError", Some("body.email")));
    assert_eq!(invalid.as_deref(), Some("server words"));
    assert_eq!(email_problem(&refused("FORBIDDEN", None)), None);
    assert_eq!(email_problem(&ApiError::Network), None);
}
