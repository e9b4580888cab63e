//! Connecting a whole AWS Organization: reading the member list a user pastes or uploads (the
//! output of `aws organizations list-accounts`, one or several pages, or a CSV of `Id,Name`),
//! choosing members and naming their Spot accounts.
//!
//! Every refusal names what is wrong and where (entry or line), so a 200-account paste is fixed
//! in one go rather than by trial.

use crate::validate::{FieldError, account_name};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// One member account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMember {
    /// The 12-digit AWS account ID.
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub state: MemberState,
    /// The organization's management account (named by the account ARNs).
    pub management: bool,
}

/// AWS's account state (`State`, or the older `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    Active,
    Suspended,
    PendingActivation,
    PendingClosure,
    Closed,
}

impl MemberState {
    fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "ACTIVE" => Self::Active,
            "SUSPENDED" => Self::Suspended,
            "PENDING_ACTIVATION" => Self::PendingActivation,
            "PENDING_CLOSURE" => Self::PendingClosure,
            "CLOSED" => Self::Closed,
            _ => return None,
        })
    }

    /// How the members table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Suspended => "Suspended",
            Self::PendingActivation => "Pending activation",
            Self::PendingClosure => "Pending closure",
            Self::Closed => "Closed",
        }
    }
}

const WHAT_TO_PASTE: &str = "Paste the output of `aws organizations list-accounts` (JSON), or a \
CSV whose first two columns are the account ID and name (Id,Name).";

fn fail<T>(message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError::new(message))
}

/// Reads a member list: JSON (one `list-accounts` answer, several pasted one after another, or
/// an array of them) or CSV. Members keep the order of the input.
pub fn parse_members(input: &str) -> Result<Vec<OrgMember>, FieldError> {
    let text = input.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return fail(format!("The list is empty. {WHAT_TO_PASTE}"));
    }
    let members = if text.starts_with('{') || text.starts_with('[') {
        from_json(text)?
    } else {
        from_csv(text)?
    };
    if members.is_empty() {
        return fail(format!("The list holds no accounts. {WHAT_TO_PASTE}"));
    }
    check_duplicates(&members)?;
    Ok(members)
}

fn from_json(text: &str) -> Result<Vec<OrgMember>, FieldError> {
    let mut pages = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match doc {
            Ok(Value::Array(items)) => pages.extend(items),
            Ok(v) => pages.push(v),
            Err(e) => {
                return fail(format!(
                    "This is not valid JSON (line {}, column {}). {WHAT_TO_PASTE}",
                    e.line(),
                    e.column()
                ));
            }
        }
    }
    let mut members = Vec::new();
    let mut management = None;
    for page in &pages {
        let Some(accounts) = page.get("Accounts").and_then(Value::as_array) else {
            return fail(
                "This JSON has no \"Accounts\" list. Paste what `aws organizations list-accounts` \
                 prints: it starts with {\"Accounts\": [.",
            );
        };
        for account in accounts {
            let n = members.len() + 1;
            let field = |key: &str| account.get(key).and_then(Value::as_str);
            let Some(id) = field("Id") else {
                return fail(format!("Entry {n} has no \"Id\"."));
            };
            let name = field("Name").unwrap_or("").trim().to_owned();
            let id = account_id(id, n, &name, "Entry")?;
            let state = match field("State").or_else(|| field("Status")) {
                None => MemberState::Active,
                Some(s) => MemberState::parse(s).ok_or_else(|| {
                    FieldError::new(format!(
                        "Entry {n} ({id}) has the state \"{s}\", which AWS does not use \
                         (ACTIVE, SUSPENDED, PENDING_CLOSURE…)."
                    ))
                })?,
            };
            if management.is_none() {
                management = field("Arn").and_then(management_of);
            }
            members.push(OrgMember {
                id,
                name,
                email: field("Email").map(str::to_owned),
                state,
                management: false,
            });
        }
    }
    if let Some(m) = management {
        for member in members.iter_mut().filter(|x| x.id == m) {
            member.management = true;
        }
    }
    Ok(members)
}

/// `arn:aws:organizations::<management account>:account/o-…/<member>`: the ARN of every
/// member names the organization's management account.
fn management_of(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() == 6 && parts[2] == "organizations" && is_account_id(parts[4]))
        .then(|| parts[4].to_owned())
}

fn from_csv(text: &str) -> Result<Vec<OrgMember>, FieldError> {
    let mut members = Vec::new();
    let mut columns = (0, 1, None::<usize>);
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells = csv_cells(line).map_err(|m| FieldError::new(format!("Line {line_no}: {m}")))?;
        let lower: Vec<String> = cells
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let header = i == first_line(text)
            && !cells.iter().any(|c| is_account_id(c.trim()))
            && lower.iter().any(|c| ID_HEADERS.contains(&c.as_str()));
        if header {
            let at = |names: &[&str]| lower.iter().position(|c| names.contains(&c.as_str()));
            let (Some(id), Some(name)) = (at(ID_HEADERS), at(&["name", "account name"])) else {
                return fail(format!(
                    "Line 1 looks like a header but has no Id and Name columns. {WHAT_TO_PASTE}"
                ));
            };
            columns = (id, name, at(&["state", "status"]));
            continue;
        }
        let cell = |k: usize| cells.get(k).map(|c| c.trim()).unwrap_or("");
        let (id, name) = (cell(columns.0), cell(columns.1));
        if cells.len() < 2 {
            return fail(format!(
                "Line {line_no} has one column; each line needs the account ID and its name, \
                 separated by a comma."
            ));
        }
        let id = account_id(id, line_no, name, "Line")?;
        let state = match columns.2.map(cell).filter(|s| !s.is_empty()) {
            None => MemberState::Active,
            Some(s) => MemberState::parse(s).ok_or_else(|| {
                FieldError::new(format!(
                    "Line {line_no} ({id}) has the state \"{s}\", which AWS does not use \
                     (ACTIVE, SUSPENDED, PENDING_CLOSURE…)."
                ))
            })?,
        };
        members.push(OrgMember {
            id,
            name: name.to_owned(),
            email: None,
            state,
            management: false,
        });
    }
    Ok(members)
}

const ID_HEADERS: &[&str] = &["id", "account id", "accountid", "account_id"];

fn first_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

/// One CSV line's cells: commas separate, double quotes enclose (`""` is a quote inside).
pub(crate) fn csv_cells(line: &str) -> Result<Vec<String>, String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let cell = cells.last_mut().expect("one cell at least");
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (',', false) => cells.push(String::new()),
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err("a quoted value is not closed (a \" is missing).".into());
    }
    Ok(cells)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn account_id(raw: &str, n: usize, name: &str, place: &str) -> Result<String, FieldError> {
    let id = raw.trim();
    if is_account_id(id) {
        return Ok(id.to_owned());
    }
    let named = if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    };
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    let hint = if digits.len() == 12 {
        format!(" Write it without separators: {digits}.")
    } else if !digits.is_empty() && digits.len() < 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        " Spreadsheets drop leading zeros: format the column as text and export again.".to_owned()
    } else {
        String::new()
    };
    fail(format!(
        "{place} {n}{named} has the ID \"{id}\": an AWS account ID is 12 digits.{hint}"
    ))
}

fn check_duplicates(members: &[OrgMember]) -> Result<(), FieldError> {
    let mut seen = HashMap::new();
    for (i, m) in members.iter().enumerate() {
        if let Some(first) = seen.insert(m.id.as_str(), i) {
            return fail(format!(
                "The account {} appears twice (entries {} and {}). Paste each page of the list \
                 once.",
                m.id,
                first + 1,
                i + 1
            ));
        }
    }
    Ok(())
}

/// Who is chosen at first: every active member; suspended, closing and closed ones are shown
/// but left out (Spot cannot read their costs).
pub fn default_choice(members: &[OrgMember]) -> BTreeSet<String> {
    members
        .iter()
        .filter(|m| m.state == MemberState::Active)
        .map(|m| m.id.clone())
        .collect()
}

/// The filter box: a member matches when its ID, name or email contains the text (any case).
pub fn matches(member: &OrgMember, query: &str) -> bool {
    let email = member.email.as_deref().unwrap_or("");
    crate::choice::text_matches(&[&member.id, &member.name, email], query)
}

/// How the Spot accounts are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// The AWS account's name.
    AwsName,
    /// The AWS name and ID, e.g. "Payments (123456789012)".
    AwsNameAndId,
    /// A prefix before the AWS name, e.g. "aws-" → "aws-Payments".
    Prefix(String),
}

/// The Spot account name for a member. A name the account-name rule refuses (no ASCII letter,
/// too long) falls back to "AWS <id>", which always passes.
pub fn spot_name(naming: &Naming, member: &OrgMember) -> String {
    let candidate = match naming {
        Naming::AwsName => member.name.clone(),
        Naming::AwsNameAndId => format!("{} ({})", member.name, member.id),
        Naming::Prefix(p) => format!("{p}{}", member.name),
    };
    account_name(&candidate).unwrap_or_else(|_| format!("AWS {}", member.id))
}

/// The naming choice as the console keeps it (the prefix is typed separately, so switching
/// away from it and back keeps what was typed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NamingChoice {
    #[default]
    AwsName,
    AwsNameAndId,
    Prefix,
}

impl NamingChoice {
    pub fn naming(self, prefix: &str) -> Naming {
        match self {
            Self::AwsName => Naming::AwsName,
            Self::AwsNameAndId => Naming::AwsNameAndId,
            Self::Prefix => Naming::Prefix(prefix.to_owned()),
        }
    }
}

/// The chosen members, in list order, as `(AWS account ID, Spot account name)`: what a batch
/// plan is made of.
pub fn planned(
    members: &[OrgMember],
    chosen: &BTreeSet<String>,
    naming: &Naming,
) -> Vec<(String, String)> {
    members
        .iter()
        .filter(|m| chosen.contains(&m.id))
        .map(|m| (m.id.clone(), spot_name(naming, m)))
        .collect()
}

/// The steps of connecting an organization, each with its own URL under
/// `/accounts/new/aws-organization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OrgStep {
    /// Paste or upload the member list.
    List,
    /// Choose members and naming.
    Members,
    /// Create the Spot accounts, their external IDs and the batch.
    Create,
    /// Deploy the StackSet and watch members connect.
    Deploy,
}

pub const ORG_BASE_PATH: &str = "/accounts/new/aws-organization";

impl OrgStep {
    pub const ALL: [OrgStep; 4] = [Self::List, Self::Members, Self::Create, Self::Deploy];

    pub fn path(self) -> String {
        match self {
            Self::List => ORG_BASE_PATH.to_owned(),
            Self::Members => format!("{ORG_BASE_PATH}/members"),
            Self::Create => format!("{ORG_BASE_PATH}/create"),
            Self::Deploy => format!("{ORG_BASE_PATH}/deploy"),
        }
    }

    /// The step a path names (a trailing slash allowed); `None` outside this flow.
    pub fn parse(path: &str) -> Option<Self> {
        let rest = path.strip_prefix(ORG_BASE_PATH)?.trim_end_matches('/');
        Some(match rest {
            "" => Self::List,
            "/members" => Self::Members,
            "/create" => Self::Create,
            "/deploy" => Self::Deploy,
            _ => return None,
        })
    }

    /// From 0, for the stepper.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::List => "Paste or upload the member accounts",
            Self::Members => "Choose members and names",
            Self::Create => "Create the Spot accounts",
            Self::Deploy => "Deploy the StackSet and connect",
        }
    }

    /// Where a request for `wanted` lands: `listed` says the pasted list reads, `chosen` how
    /// many members are chosen, `plan` the batch in progress (which fixes the choice: steps 1
    /// and 2 then lead to step 3), `deployable` that every member has its account and external ID.
    pub fn allowed(
        wanted: OrgStep,
        listed: bool,
        chosen: usize,
        plan: bool,
        deployable: bool,
    ) -> OrgStep {
        if plan {
            return if wanted == Self::Deploy && deployable {
                Self::Deploy
            } else {
                Self::Create
            };
        }
        match wanted {
            Self::List => Self::List,
            _ if !listed => Self::List,
            Self::Members => Self::Members,
            _ if chosen == 0 => Self::Members,
            _ => Self::Create,
        }
    }
}

/// After the batch token is renewed: the command that gives the new token to the stacks of the
/// members not connected yet (`accounts`), in the chosen units. Their custom resource sees a
/// changed property and reports its role again; connected members are left alone.
pub fn stackset_token_update_command(
    partition: crate::validate::Partition,
    stack_set_name: &str,
    targets: &[String],
    accounts: &[String],
    connect_token: &str,
) -> String {
    use crate::aws_setup::{shell_quote, stack_region};
    let region = stack_region(partition);
    let targets = serde_json::json!({
        "OrganizationalUnitIds": targets,
        "Accounts": accounts,
        "AccountFilterType": "INTERSECTION",
    });
    let parameters = serde_json::json!([
        {"ParameterKey": "ConnectToken", "ParameterValue": connect_token}
    ]);
    let preferences =
        serde_json::json!({"FailureTolerancePercentage": 100, "MaxConcurrentPercentage": 25});
    format!(
        "aws cloudformation update-stack-instances --region {region} \\\n  \
         --stack-set-name {} \\\n  \
         --deployment-targets {} \\\n  \
         --regions {region} \\\n  \
         --parameter-overrides {} \\\n  \
         --operation-preferences {}\n",
        shell_quote(stack_set_name),
        shell_quote(&targets.to_string()),
        shell_quote(&parameters.to_string()),
        shell_quote(&preferences.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PAGE: &str = r#"{
      "Accounts": [
        {"Id": "111111111111", "Arn": "arn:aws:organizations::111111111111:account/o-abc123defg/111111111111",
         "Email": "root@example.com", "Name": "Management", "Status": "ACTIVE", "State": "ACTIVE",
         "JoinedMethod": "INVITED", "JoinedTimestamp": "2020-01-01T00:00:00+00:00"},
        {"Id": "222222222222", "Arn": "arn:aws:organizations::111111111111:account/o-abc123defg/222222222222",
         "Email": "pay@example.com", "Name": "Payments", "Status": "SUSPENDED", "State": "SUSPENDED"}
      ],
      "NextToken": "eyJOZXh0VG9rZW4iOiBudWxsfQ=="
    }"#;

    fn err(input: &str) -> String {
        parse_members(input).unwrap_err().message
    }

    #[test]
    fn reads_a_list_accounts_page_and_marks_the_management_account() {
        let m = parse_members(PAGE).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].id, "111111111111");
        assert!(m[0].management && !m[1].management);
        assert_eq!(m[1].name, "Payments");
        assert_eq!(m[1].state, MemberState::Suspended);
        assert_eq!(m[1].email.as_deref(), Some("pay@example.com"));
        assert_eq!(
            default_choice(&m).into_iter().collect::<Vec<_>>(),
            ["111111111111"]
        );
    }

    #[test]
    fn reads_several_pages_pasted_together_or_as_an_array() {
        let second =
            r#"{"Accounts": [{"Id": "333333333333", "Name": "Data", "State": "PENDING_CLOSURE"}]}"#;
        for input in [format!("{PAGE}\n{second}"), format!("[{PAGE}, {second}]")] {
            let m = parse_members(&input).unwrap();
            assert_eq!(
                m.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
                ["111111111111", "222222222222", "333333333333"]
            );
            assert_eq!(m[2].state, MemberState::PendingClosure);
            // The management account is known from the first page's ARNs.
            assert!(m[0].management);
        }
    }

    #[test]
    fn reads_csv_with_or_without_a_header_and_with_quotes() {
        let m =
            parse_members("Id,Name\n123456789012,Payments\n210987654321,\"Data, EU\"\n").unwrap();
        assert_eq!(m[1].name, "Data, EU");
        assert_eq!(m.len(), 2);
        let m = parse_members("123456789012,Payments").unwrap();
        assert_eq!(m[0].name, "Payments");
        let m = parse_members("Name,Account ID,Status\n\"Say \"\"hi\"\"\",123456789012,SUSPENDED")
            .unwrap();
        assert_eq!(m[0].name, "Say \"hi\"");
        assert_eq!(m[0].id, "123456789012");
        assert_eq!(m[0].state, MemberState::Suspended);
    }

    #[test]
    fn every_bad_shape_has_its_own_message() {
        assert!(err("  ").starts_with("The list is empty."));
        assert!(err("{\"Accounts\": []}").starts_with("The list holds no accounts."));
        assert!(err("Id,Name\n").starts_with("The list holds no accounts."));
        let m = err("{\"Accounts\": [");
        assert!(
            m.starts_with("This is not valid JSON (line 1, column"),
            "{m}"
        );
        assert!(err("{\"accounts\": []}").contains("has no \"Accounts\" list"));
        assert_eq!(
            err(r#"{"Accounts": [{"Name": "x"}]}"#),
            "Entry 1 has no \"Id\"."
        );
        assert_eq!(
            err(r#"{"Accounts": [{"Id": "12345", "Name": "Dev"}]}"#),
            "Entry 1 (Dev) has the ID \"12345\": an AWS account ID is 12 digits. Spreadsheets \
             drop leading zeros: format the column as text and export again."
        );
        assert_eq!(
            err("1234-5678-9012,Dev"),
            "Line 1 (Dev) has the ID \"1234-5678-9012\": an AWS account ID is 12 digits. \
             Write it without separators: 123456789012."
        );
        assert!(
            err(r#"{"Accounts": [{"Id": "123456789012", "State": "GONE"}]}"#)
                .contains("the state \"GONE\"")
        );
        assert!(err("123456789012").starts_with("Line 1 has one column"));
        assert!(err("123456789012,\"Dev").contains("not closed"));
        assert!(err("Key,Value\n1,2").contains("has the ID \"Key\""));
        assert!(err("Id,Owner\n123456789012,x").starts_with("Line 1 looks like a header"));
        assert_eq!(
            err("123456789012,A\n210987654321,B\n123456789012,C"),
            "The account 123456789012 appears twice (entries 1 and 3). Paste each page of the \
             list once."
        );
    }

    #[test]
    fn filter_and_names() {
        let m = parse_members(PAGE).unwrap();
        assert!(matches(&m[1], "PAY"));
        assert!(matches(&m[1], "2222"));
        assert!(matches(&m[1], "pay@"));
        assert!(!matches(&m[0], "pay"));
        assert!(matches(&m[0], " "));
        assert_eq!(spot_name(&Naming::AwsName, &m[1]), "Payments");
        assert_eq!(
            spot_name(&Naming::AwsNameAndId, &m[1]),
            "Payments (222222222222)"
        );
        assert_eq!(
            spot_name(&Naming::Prefix("aws-".into()), &m[1]),
            "aws-Payments"
        );
        let digits = OrgMember {
            name: "1234".into(),
            ..m[1].clone()
        };
        assert_eq!(spot_name(&Naming::AwsName, &digits), "AWS 222222222222");
    }

    #[test]
    fn steps_have_urls_and_guards() {
        for s in OrgStep::ALL {
            assert_eq!(OrgStep::parse(&s.path()), Some(s));
            assert_eq!(OrgStep::parse(&format!("{}/", s.path())), Some(s));
        }
        assert_eq!(OrgStep::parse("/accounts/new/aws-organization/other"), None);
        assert_eq!(OrgStep::parse("/accounts/new/name"), None);
        use OrgStep::*;
        // Nothing pasted: only the list.
        assert_eq!(OrgStep::allowed(Deploy, false, 0, false, false), List);
        assert_eq!(OrgStep::allowed(Members, false, 0, false, false), List);
        // Listed, nobody chosen: up to the members.
        assert_eq!(OrgStep::allowed(Create, true, 0, false, false), Members);
        assert_eq!(OrgStep::allowed(Create, true, 3, false, false), Create);
        assert_eq!(OrgStep::allowed(Deploy, true, 3, false, false), Create);
        // A batch in progress fixes the choice.
        assert_eq!(OrgStep::allowed(List, true, 3, true, false), Create);
        assert_eq!(OrgStep::allowed(Deploy, true, 3, true, false), Create);
        assert_eq!(OrgStep::allowed(Deploy, true, 3, true, true), Deploy);
        assert_eq!(OrgStep::allowed(Members, true, 3, true, true), Create);
    }

    #[test]
    fn the_plan_takes_the_chosen_members_in_order_with_their_names() {
        let m = parse_members(PAGE).unwrap();
        let chosen: BTreeSet<String> = ["222222222222".to_owned()].into();
        assert_eq!(
            planned(&m, &chosen, &NamingChoice::Prefix.naming("aws-")),
            [("222222222222".to_owned(), "aws-Payments".to_owned())]
        );
        assert_eq!(NamingChoice::default().naming("x"), Naming::AwsName);
    }

    #[test]
    fn the_token_update_reaches_only_the_members_not_connected() {
        let cmd = stackset_token_update_command(
            crate::validate::Partition::Aws,
            "Spot-Onramp-bat-0000000a",
            &["ou-ab12-cdefgh34".to_owned()],
            &["222222222222".to_owned()],
            "tok'en",
        );
        assert!(
            cmd.starts_with("aws cloudformation update-stack-instances --region us-east-1 \\\n"),
            "{cmd}"
        );
        assert!(cmd.contains("--stack-set-name 'Spot-Onramp-bat-0000000a'"));
        assert!(cmd.contains(r#""Accounts":["222222222222"]"#));
        assert!(cmd.contains(r#""AccountFilterType":"INTERSECTION""#));
        // Quoted for the shell: a quote in a value cannot end the word.
        assert!(cmd.contains(r#""ParameterValue":"tok'\''en""#), "{cmd}");
    }

    #[test]
    fn the_token_update_runs_in_the_partition_of_the_organization() {
        use crate::validate::Partition;
        let update = |p| {
            stackset_token_update_command(p, "s", &["r-ab12".to_owned()], &["2".to_owned()], "t")
        };
        let gov = update(Partition::AwsUsGov);
        assert!(
            gov.starts_with(
                "aws cloudformation update-stack-instances --region us-gov-west-1 \\\n"
            ),
            "{gov}"
        );
        assert!(gov.contains("--regions us-gov-west-1") && !gov.contains("us-east-1"));
        let cn = update(Partition::AwsCn);
        assert!(
            cn.contains("--region cn-north-1") && cn.contains("--regions cn-north-1"),
            "{cn}"
        );
    }

    fn member_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::btree_map("[0-9]{12}", "[A-Za-z][A-Za-z0-9 ,\"-]{0,20}", 1..40)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #[test]
        fn json_and_csv_of_the_same_members_read_the_same(members in member_strategy()) {
            let json = serde_json::json!({ "Accounts": members.iter()
                .map(|(id, name)| serde_json::json!({"Id": id, "Name": name, "State": "ACTIVE"}))
                .collect::<Vec<_>>() }).to_string();
            let csv = std::iter::once("Id,Name".to_owned())
                .chain(members.iter().map(|(id, name)| format!("{id},\"{}\"", name.replace('"', "\"\""))))
                .collect::<Vec<_>>()
                .join("\n");
            let a = parse_members(&json).unwrap();
            let b = parse_members(&csv).unwrap();
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.iter().map(|m| (m.id.clone(), m.name.trim().to_owned())).collect::<Vec<_>>(),
                members.iter().map(|(i, n)| (i.clone(), n.trim().to_owned())).collect::<Vec<_>>());
            for m in &a {
                prop_assert!(account_name(&spot_name(&Naming::AwsNameAndId, m)).is_ok());
            }
        }
    }
}
