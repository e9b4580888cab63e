//! AWS: the IAM role ARN Spot assumes, the account ID and the external ID.

use super::text::{describe_char, excerpt, first_foreign_char, is_quoted};
use super::{Checked, fail};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which AWS the user said their account lives in (the wizard's first choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AwsEnvironment {
    #[default]
    Commercial,
    GovCloud,
    China,
}

impl AwsEnvironment {
    pub const ALL: [AwsEnvironment; 3] = [
        AwsEnvironment::Commercial,
        AwsEnvironment::GovCloud,
        AwsEnvironment::China,
    ];

    /// The name used in messages and labels.
    pub fn label(self) -> &'static str {
        match self {
            AwsEnvironment::Commercial => "commercial AWS",
            AwsEnvironment::GovCloud => "AWS GovCloud (US)",
            AwsEnvironment::China => "AWS China",
        }
    }
}

/// The AWS partitions Spot can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    /// The partition a role must be in for the environment the user chose.
    pub fn from_choice(choice: AwsEnvironment) -> Self {
        match choice {
            AwsEnvironment::Commercial => Partition::Aws,
            AwsEnvironment::GovCloud => Partition::AwsUsGov,
            AwsEnvironment::China => Partition::AwsCn,
        }
    }

    /// The environment choice that leads to this partition.
    pub fn environment(self) -> AwsEnvironment {
        match self {
            Partition::Aws => AwsEnvironment::Commercial,
            Partition::AwsUsGov => AwsEnvironment::GovCloud,
            Partition::AwsCn => AwsEnvironment::China,
        }
    }

    /// The partition as it appears in an ARN.
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// Host of the partition's web console (for CloudFormation quick-create links).
    pub fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsCn => "console.amazonaws.cn",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
        }
    }

    /// The connectable partition written exactly as `s` (ARNs are case-sensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "aws" => Some(Partition::Aws),
            "aws-cn" => Some(Partition::AwsCn),
            "aws-us-gov" => Some(Partition::AwsUsGov),
            _ => None,
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Real partitions of AWS's isolated regions: valid ARNs, but Spot can't reach them.
const ISOLATED_PARTITIONS: [&str; 4] = ["aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"];

/// A checked IAM role ARN. `path` is `/` or `/segment/.../`, as IAM reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    pub partition: Partition,
    pub account_id: String,
    pub path: String,
    pub name: String,
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:iam::{}:role{}{}",
            self.partition, self.account_id, self.path, self.name
        )
    }
}

const ARN_MIN: usize = 20;
const ARN_MAX: usize = 2048;
const ROLE_NAME_MAX: usize = 64;
const ROLE_PATH_MAX: usize = 512;
const EXTERNAL_ID_MIN: usize = 2;
const EXTERNAL_ID_MAX: usize = 1224;

fn is_role_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An example role ARN for messages, filled with what we know.
fn example(partition: Partition, account: Option<&str>, name: Option<&str>) -> String {
    format!(
        "arn:{}:iam::{}:role/{}",
        partition,
        account.unwrap_or("123456789012"),
        name.unwrap_or("YourRoleName")
    )
}

/// IAM role ARN: `arn:<partition>:iam::<12 digits>:role/<optional path/><name>`, in the
/// partition of `env`. Surrounding whitespace is trimmed; everything else must be exact.
/// The common wrong pastes (a stack, user, instance-profile, policy or assumed-role ARN, an
/// account ID, a bare role name, an ARN with a region) get a message saying what was pasted.
pub fn role_arn(input: &str, env: AwsEnvironment) -> Checked<RoleArn> {
    let want = Partition::from_choice(env);
    let arn = input.trim();
    if arn.is_empty() {
        return fail(format!(
            "Enter the ARN of the IAM role you created for Spot, like {}.",
            example(want, None, None)
        ));
    }
    if arn.len() > ARN_MAX {
        return fail(format!(
            "A role ARN is at most {ARN_MAX} characters long; this value has {}. Copy only the role's ARN.",
            arn.len()
        ));
    }
    if arn.chars().any(char::is_whitespace) {
        return fail(
            "The role ARN can't contain spaces or line breaks. Copy it again from the role's Summary page in the IAM console.",
        );
    }
    if is_quoted(arn) {
        return fail("Remove the quotation marks around the role ARN.");
    }
    if let Some(c) = first_foreign_char(arn) {
        return fail(format!(
            "The role ARN contains {}. Retype it, or copy the ARN from the IAM console.",
            describe_char(c)
        ));
    }
    // Also as the AWS console's account menu shows it: 1234-5678-9012.
    let digits: String = arn.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 12 && arn.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return fail(format!(
            "That is an AWS account ID, not a role ARN. Enter the ARN of the role Spot should use, like {}.",
            example(want, Some(&digits), None)
        ));
    }
    if !arn.starts_with("arn:") {
        return fail(not_an_arn(arn, want));
    }

    // arn:partition:service:region:account:resource — the resource may itself contain colons.
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return fail(format!(
            "The role ARN is incomplete: it has six parts separated by colons, like {}.",
            example(want, None, None)
        ));
    };
    let partition = match Partition::parse(partition) {
        Some(p) => p,
        None => return fail(partition_problem(partition, want)),
    };

    if service != "iam" {
        return fail(wrong_service(partition, service, account, resource));
    }
    if !region.is_empty() {
        return fail(format!(
            "IAM ARNs have no region, but this one has “{}”. Remove it so the ARN reads {}.",
            excerpt(region),
            example_from(partition, account, resource)
        ));
    }
    check_account_part(account, partition)?;

    let Some(rest) = resource.strip_prefix("role/") else {
        return fail(wrong_iam_resource(partition, account, resource));
    };
    let (path, name) = match rest.rfind('/') {
        Some(i) => (format!("/{}", &rest[..=i]), &rest[i + 1..]),
        None => ("/".to_owned(), rest),
    };
    check_role_path(&path)?;
    check_role_name(name)?;

    if arn.len() < ARN_MIN {
        // Unreachable with the parts above (the shortest is 32), kept as IAM's own bound.
        return fail(format!(
            "A role ARN is at least {ARN_MIN} characters long. Copy the whole ARN."
        ));
    }
    if partition != want {
        return fail(format!(
            "The role ARN must be in the {} partition because you chose {}, but it starts with “arn:{}:”, which is {}. Use a role from your {} account, or change your choice to {}.",
            want,
            env.label(),
            partition,
            partition.environment().label(),
            env.label(),
            partition.environment().label(),
        ));
    }
    Ok(RoleArn {
        partition,
        account_id: account.to_owned(),
        path,
        name: name.to_owned(),
    })
}

/// The message for a value that does not start with `arn:`.
fn not_an_arn(s: &str, want: Partition) -> String {
    if s.get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case("arn:"))
    {
        return format!(
            "Write the start of the ARN in lowercase, like {}.",
            example(want, None, None)
        );
    }
    if let Some(name) = s.strip_prefix("role/") {
        return format!(
            "That is only the end of a role ARN. Enter the whole ARN, like {}.",
            example(
                want,
                None,
                name.rsplit('/').next().filter(|n| !n.is_empty())
            )
        );
    }
    if !s.is_empty() && s.len() <= ROLE_NAME_MAX && s.chars().all(is_role_name_char) {
        return format!(
            "That looks like a role name alone. Enter the role's full ARN, like {}; it is shown on the role's Summary page in the IAM console.",
            example(want, None, Some(s))
        );
    }
    format!(
        "A role ARN starts with “arn:”, like {}. Copy it from the role's Summary page in the IAM console.",
        example(want, None, None)
    )
}

fn partition_problem(partition: &str, want: Partition) -> String {
    if ISOLATED_PARTITIONS.contains(&partition) {
        return format!(
            "This role is in the isolated partition {partition}, which Spot can't connect to. Use a role in commercial AWS, AWS GovCloud (US) or AWS China."
        );
    }
    let lower = partition.to_ascii_lowercase();
    if Partition::parse(&lower).is_some() || ISOLATED_PARTITIONS.contains(&lower.as_str()) {
        return format!("Write the partition in lowercase: “{lower}”, not “{partition}”.");
    }
    if partition.is_empty() {
        return format!(
            "The ARN is missing its partition after “arn:”: for {} it is “{}”.",
            want.environment().label(),
            want
        );
    }
    format!(
        "“{}” is not an AWS partition. The part after “arn:” is {} for {}.",
        excerpt(partition),
        want,
        want.environment().label()
    )
}

/// A role ARN rebuilt from a resource that starts with `role/`, for suggestions.
fn example_from(partition: Partition, account: &str, resource: &str) -> String {
    let account = if is_account_id(account) {
        account
    } else {
        "123456789012"
    };
    match resource.strip_prefix("role/") {
        Some(rest) if !rest.is_empty() => format!("arn:{partition}:iam::{account}:role/{rest}"),
        _ => example(partition, Some(account), None),
    }
}

fn wrong_service(partition: Partition, service: &str, account: &str, resource: &str) -> String {
    let account_opt = is_account_id(account).then_some(account);
    match service {
        "cloudformation" => format!(
            "That is the ARN of a CloudFormation stack, not of a role. Open the stack's Outputs tab and copy the role ARN, which looks like {}.",
            example(partition, account_opt, None)
        ),
        "sts" if resource.starts_with("assumed-role/") => {
            // assumed-role/<role name>/<session>: the role name is recoverable, its path is not.
            let role = resource["assumed-role/".len()..]
                .split('/')
                .next()
                .unwrap_or("");
            let role = (!role.is_empty()).then_some(role);
            format!(
                "That is the ARN of a session that assumed a role (from STS), not of the role itself. Enter the role's ARN, like {}; if the role has a path, include it.",
                example(partition, account_opt, role)
            )
        }
        "" => format!(
            "The ARN is missing the service: a role ARN has “iam” there, like {}.",
            example(partition, account_opt, None)
        ),
        other => format!(
            "That is an ARN from the “{}” service; Spot needs an IAM role ARN, like {}.",
            excerpt(other),
            example(partition, account_opt, None)
        ),
    }
}

fn check_account_part(account: &str, partition: Partition) -> Checked<()> {
    if is_account_id(account) {
        return Ok(());
    }
    if account.is_empty() {
        return fail(format!(
            "The role ARN is missing the 12-digit AWS account ID between “iam::” and “:role/”, like {}.",
            example(partition, None, None)
        ));
    }
    let digits: String = account.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 12 && account.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return fail(format!(
            "Write the account ID in the ARN as 12 digits without dashes: {digits}."
        ));
    }
    fail(format!(
        "The account ID in the role ARN must be exactly 12 digits; “{}” is not.",
        excerpt(account)
    ))
}

fn wrong_iam_resource(partition: Partition, account: &str, resource: &str) -> String {
    let kind = resource.split('/').next().unwrap_or("");
    let last = resource.rsplit('/').next().filter(|n| !n.is_empty());
    let suggestion = example(partition, Some(account), None);
    match kind {
        "user" => format!(
            "That is the ARN of an IAM user. Spot needs the ARN of a role, like {suggestion}."
        ),
        "instance-profile" => format!(
            "That is the ARN of an instance profile, not of a role. Use the role's own ARN, with “:role/” where yours has “:instance-profile/”, like {}.",
            example(partition, Some(account), last)
        ),
        "policy" => format!(
            "That is the ARN of a policy. Enter the ARN of the role the policy is attached to, like {suggestion}."
        ),
        "group" => format!(
            "That is the ARN of an IAM group. Spot needs the ARN of a role, like {suggestion}."
        ),
        "root" => format!(
            "That is the ARN of the whole account. Enter the ARN of the role Spot should use, like {suggestion}."
        ),
        "role" => format!("Add the role's name after “role/”, like {suggestion}."),
        _ => format!(
            "That ARN does not point to a role: after the account ID it must continue with “:role/”, like {suggestion}."
        ),
    }
}

fn check_role_path(path: &str) -> Checked<()> {
    if path == "/" {
        return Ok(());
    }
    if path.len() > ROLE_PATH_MAX {
        return fail(format!(
            "The role's path is at most {ROLE_PATH_MAX} characters long. Check that you copied the right ARN."
        ));
    }
    if path.contains("//") {
        return fail("The role ARN has an empty path segment (“//”). Remove the extra slash.");
    }
    // IAM paths allow printable ASCII; the foreign-character check already ran.
    Ok(())
}

fn check_role_name(name: &str) -> Checked<()> {
    if name.is_empty() {
        return fail("The role ARN ends with “/”: add the role's name after the last slash.");
    }
    if name.len() > ROLE_NAME_MAX {
        return fail(format!(
            "The role name is {} characters long; IAM role names have at most {ROLE_NAME_MAX}.",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|&c| !is_role_name_char(c)) {
        return fail(format!(
            "The role name can't contain {}. Role names use letters, digits and _+=,.@- only.",
            describe_char(c)
        ));
    }
    Ok(())
}

/// AWS account ID: exactly 12 digits, surrounding whitespace ignored.
pub fn aws_account_id(input: &str) -> Checked<String> {
    let id = input.trim();
    if id.is_empty() {
        return fail("Enter your 12-digit AWS account ID.");
    }
    if is_account_id(id) {
        return Ok(id.to_owned());
    }
    if let Ok(arn) = role_arn(id, AwsEnvironment::Commercial)
        .or_else(|_| role_arn(id, AwsEnvironment::GovCloud))
        .or_else(|_| role_arn(id, AwsEnvironment::China))
    {
        return fail(format!(
            "That is a role ARN. The account ID is the 12 digits in it: {}.",
            arn.account_id
        ));
    }
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 12
        && id
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        return fail(format!(
            "Enter the account ID as 12 digits without dashes or spaces: {digits}."
        ));
    }
    if let Some(c) = id.chars().find(|c| !c.is_ascii_digit()) {
        return fail(format!(
            "An AWS account ID has digits only, but this one contains {}.",
            describe_char(c)
        ));
    }
    fail(format!(
        "An AWS account ID has exactly 12 digits; this one has {}.",
        id.len()
    ))
}

fn is_external_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | ':' | '/' | '-')
}

/// External ID: 2–1224 characters of `A-Za-z0-9_+=,.@:/-`, surrounding whitespace ignored.
pub fn external_id(input: &str) -> Checked<String> {
    let id = input.trim();
    if id.is_empty() {
        return fail("Enter the external ID.");
    }
    if let Some(c) = id.chars().find(|&c| !is_external_id_char(c)) {
        let what = if c.is_whitespace() {
            "a space".to_owned()
        } else {
            describe_char(c)
        };
        return fail(format!(
            "The external ID can't contain {what}. It uses letters, digits and _+=,.@:/- only."
        ));
    }
    let len = id.len();
    if len < EXTERNAL_ID_MIN {
        return fail(format!(
            "The external ID needs at least {EXTERNAL_ID_MIN} characters."
        ));
    }
    if len > EXTERNAL_ID_MAX {
        return fail(format!(
            "The external ID can be at most {EXTERNAL_ID_MAX} characters long; this one has {len}."
        ));
    }
    Ok(id.to_owned())
}

/// The most Spot accounts one batch connect token may cover (`POST /onramp/aws/batches`).
pub const BATCH_MAX: usize = 1000;

/// How many members an organization flow may connect at once: the batch token covers at most
/// [`BATCH_MAX`] accounts, so more is refused before any account is created for them.
pub fn batch_choice(chosen: usize) -> Checked<()> {
    if chosen == 0 {
        return fail("Choose at least one member account.");
    }
    if chosen > BATCH_MAX {
        return fail(format!(
            "One batch connects at most {BATCH_MAX} members; {chosen} are chosen. Choose {} fewer (filter the list, then untick), and connect the rest in another batch afterwards.",
            chosen - BATCH_MAX
        ));
    }
    Ok(())
}

/// The Spot accounts of one batch: 1..=[`BATCH_MAX`] account ids, each once. Whether each is in
/// the caller's organization is the server's to check.
pub fn batch_account_ids(ids: &[String]) -> Checked<Vec<crate::ids::AccountId>> {
    if ids.is_empty() {
        return fail("Choose at least one Spot account for the batch.");
    }
    if ids.len() > BATCH_MAX {
        return fail(format!(
            "A batch holds at most {BATCH_MAX} accounts; this one has {}. Split it into several batches.",
            ids.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for raw in ids {
        let Some(id) = crate::ids::AccountId::parse(raw) else {
            return fail(format!(
                "\"{}\" is not a Spot account ID; they look like act-1a2b3c4d.",
                super::text::excerpt(raw.trim())
            ));
        };
        if !seen.insert(id.clone()) {
            return fail(format!("{id} is listed twice; list each account once."));
        }
        out.push(id);
    }
    Ok(out)
}

/// The AWS accounts of a batch's members, in the order of its Spot accounts (`accounts` of
/// them): 12 digits each, each once (every member of an organization is its own AWS account).
pub fn batch_aws_account_ids(ids: &[String], accounts: usize) -> Checked<Vec<String>> {
    if ids.len() != accounts {
        return fail(format!(
            "List the AWS account ID of each Spot account of the batch, in the same order: {} for {}.",
            ids.len(),
            crate::text::count(accounts as u64, "Spot account", "Spot accounts")
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = raw.trim();
        if !is_account_id(id) {
            return fail(format!(
                "\"{}\" is not an AWS account ID; they are 12 digits.",
                super::text::excerpt(id)
            ));
        }
        if !seen.insert(id) {
            return fail(format!(
                "AWS account {id} is listed twice; each member is an AWS account of its own."
            ));
        }
        out.push(id.to_owned());
    }
    Ok(out)
}

fn is_lower_alnum(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Where a StackSet deploys: an organization root (`r-` and 4–32 lowercase letters or digits)
/// or an organizational unit (`ou-`, the root's 4–32, `-`, then 8–32 more).
pub fn org_unit_id(input: &str) -> Checked<String> {
    let id = input.trim();
    if id.is_empty() {
        return fail("Enter an organizational unit ID (ou-…) or the root ID (r-…).");
    }
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return fail(format!(
            "{id} is an AWS account ID. Deploy to the organizational unit that holds it (ou-…) \
             or to the root (r-…): AWS Organizations › AWS accounts shows both."
        ));
    }
    if let Some(c) = id.chars().find(|c| c.is_ascii_uppercase()) {
        return fail(format!(
            "AWS writes these IDs in lowercase, but this one contains {}.",
            super::text::describe_char(c)
        ));
    }
    let ok = if let Some(rest) = id.strip_prefix("ou-") {
        rest.split_once('-')
            .is_some_and(|(root, unit)| is_lower_alnum(root, 4, 32) && is_lower_alnum(unit, 8, 32))
    } else if let Some(rest) = id.strip_prefix("r-") {
        is_lower_alnum(rest, 4, 32)
    } else {
        return fail(format!(
            "\"{}\" is neither an organizational unit ID (ou-ab12-cd34ef56) nor a root ID \
             (r-ab12); copy it from AWS Organizations › AWS accounts.",
            super::text::excerpt(id)
        ));
    };
    if !ok {
        return fail(format!(
            "\"{}\" is not complete: an organizational unit ID looks like ou-ab12-cd34ef56 and \
             a root ID like r-ab12 (lowercase letters and digits). Copy it from AWS \
             Organizations › AWS accounts.",
            super::text::excerpt(id)
        ));
    }
    Ok(id.to_owned())
}

/// The deployment targets of a StackSet: one or more [`org_unit_id`]s separated by commas,
/// spaces or new lines, each once.
pub fn deployment_targets(input: &str) -> Checked<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let id = org_unit_id(part)?;
        if out.contains(&id) {
            return fail(format!("{id} is listed twice; list each target once."));
        }
        out.push(id);
    }
    if out.is_empty() {
        return org_unit_id("").map(|_| Vec::new());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AwsEnvironment::{China, Commercial, GovCloud};

    fn msg(input: &str, env: AwsEnvironment) -> String {
        match role_arn(input, env) {
            Ok(arn) => panic!("{input:?} was accepted as {arn}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn partitions_and_choices() {
        assert_eq!(AwsEnvironment::default(), Commercial);
        assert_eq!(Partition::from_choice(Commercial), Partition::Aws);
        assert_eq!(Partition::from_choice(GovCloud), Partition::AwsUsGov);
        assert_eq!(Partition::from_choice(China), Partition::AwsCn);
        assert_eq!(Partition::AwsUsGov.as_str(), "aws-us-gov");
        assert_eq!(Partition::AwsCn.to_string(), "aws-cn");
        assert_eq!(Partition::Aws.console_host(), "console.aws.amazon.com");
        assert_eq!(Partition::AwsCn.console_host(), "console.amazonaws.cn");
        assert_eq!(
            Partition::AwsUsGov.console_host(),
            "console.amazonaws-us-gov.com"
        );
        for env in AwsEnvironment::ALL {
            assert_eq!(Partition::from_choice(env).environment(), env);
            let p = Partition::from_choice(env);
            assert_eq!(Partition::parse(p.as_str()), Some(p));
        }
        assert_eq!(serde_json::to_string(&GovCloud).unwrap(), "\"govcloud\"");
        assert_eq!(
            serde_json::from_str::<AwsEnvironment>("\"china\"").unwrap(),
            China
        );
        assert_eq!(
            serde_json::from_str::<AwsEnvironment>("\"commercial\"").unwrap(),
            Commercial
        );
    }

    #[test]
    fn accepts_role_arns_and_splits_them() {
        let arn = role_arn("  arn:aws:iam::123456789012:role/SpotRole\n", Commercial).unwrap();
        assert_eq!(arn.partition, Partition::Aws);
        assert_eq!(arn.account_id, "123456789012");
        assert_eq!(arn.path, "/");
        assert_eq!(arn.name, "SpotRole");
        assert_eq!(arn.to_string(), "arn:aws:iam::123456789012:role/SpotRole");

        let arn = role_arn(
            "arn:aws-us-gov:iam::000000000000:role/service-role/team/Spot_+=,.@-1",
            GovCloud,
        )
        .unwrap();
        assert_eq!(arn.path, "/service-role/team/");
        assert_eq!(arn.name, "Spot_+=,.@-1");
        assert_eq!(
            arn.to_string(),
            "arn:aws-us-gov:iam::000000000000:role/service-role/team/Spot_+=,.@-1"
        );

        let arn = role_arn("arn:aws-cn:iam::123456789012:role/x", China).unwrap();
        assert_eq!(arn.partition, Partition::AwsCn);
        assert_eq!(arn.name, "x");
    }

    #[test]
    fn role_name_length_and_characters() {
        let base = "arn:aws:iam::123456789012:role/";
        assert!(role_arn(&format!("{base}{}", "a".repeat(64)), Commercial).is_ok());
        let m = msg(&format!("{base}{}", "a".repeat(65)), Commercial);
        assert!(m.contains("65") && m.contains("64"), "{m}");
        let m = msg(&format!("{base}Spot*Role"), Commercial);
        assert!(m.contains("“*”") && m.contains("_+=,.@-"), "{m}");
        let m = msg(&format!("{base}path/"), Commercial);
        assert!(m.contains("ends with “/”"), "{m}");
        let m = msg(&format!("{base}a//b"), Commercial);
        assert!(m.contains("//"), "{m}");
        let m = msg(&format!("{base}{}/x", "p".repeat(600)), Commercial);
        assert!(m.contains("path"), "{m}");
    }

    #[test]
    fn total_length_bound() {
        let long = format!("arn:aws:iam::123456789012:role/{}/x", "p".repeat(ARN_MAX));
        let m = msg(&long, Commercial);
        assert!(m.contains("2048"), "{m}");
        assert!(msg("arn:aws:iam", Commercial).contains("incomplete"));
    }

    #[test]
    fn whitespace_surrounding_is_trimmed_inner_is_refused() {
        assert!(role_arn("\t arn:aws:iam::123456789012:role/R \r\n", Commercial).is_ok());
        for bad in [
            "arn:aws:iam::123456789012:role/Spot Role",
            "arn:aws:iam:: 123456789012:role/R",
            "arn:aws:iam::123456789012:role/\nR",
            "arn:aws:iam::123456789012:role/R\u{a0}x",
        ] {
            assert!(msg(bad, Commercial).contains("spaces"), "{bad:?}");
        }
    }

    #[test]
    fn unicode_look_alikes_are_named() {
        // Cyrillic “а”, Cyrillic “о”, an en dash and a zero-width space.
        for (bad, code) in [
            ("аrn:aws:iam::123456789012:role/R", "U+0430"),
            ("arn:aws:iam::123456789012:role/Sp\u{43e}t", "U+043E"),
            ("arn:aws\u{2013}us-gov:iam::123456789012:role/R", "U+2013"),
            ("arn:aws:iam::123456789012:role/R\u{200b}x", "U+200B"),
        ] {
            let m = msg(bad, Commercial);
            assert!(m.contains(code) && m.contains("look-alike"), "{m}");
        }
        let m = msg("arn:aws:iam::123456789012:role/R\u{0}", Commercial);
        assert!(m.contains("control character"), "{m}");
    }

    #[test]
    fn partition_must_match_the_choice() {
        let m = msg("arn:aws:iam::123456789012:role/R", GovCloud);
        assert!(
            m.starts_with(
                "The role ARN must be in the aws-us-gov partition because you chose AWS GovCloud (US)"
            ),
            "{m}"
        );
        let m = msg("arn:aws-us-gov:iam::123456789012:role/R", Commercial);
        assert!(m.contains("must be in the aws partition") && m.contains("commercial AWS"));
        let m = msg("arn:aws:iam::123456789012:role/R", China);
        assert!(
            m.contains("aws-cn partition because you chose AWS China"),
            "{m}"
        );
        let m = msg("arn:aws-cn:iam::123456789012:role/R", GovCloud);
        assert!(m.contains("which is AWS China"), "{m}");
    }

    #[test]
    fn isolated_and_unknown_partitions() {
        for p in ["aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"] {
            let m = msg(&format!("arn:{p}:iam::123456789012:role/R"), Commercial);
            assert!(m.contains(p) && m.contains("can't connect"), "{m}");
        }
        let m = msg("arn:AWS:iam::123456789012:role/R", Commercial);
        assert!(m.contains("lowercase") && m.contains("“aws”"), "{m}");
        let m = msg("arn:azure:iam::123456789012:role/R", Commercial);
        assert!(m.contains("“azure” is not an AWS partition"), "{m}");
        let m = msg("arn::iam::123456789012:role/R", GovCloud);
        assert!(
            m.contains("missing its partition") && m.contains("aws-us-gov"),
            "{m}"
        );
        let m = msg("ARN:aws:iam::123456789012:role/R", Commercial);
        assert!(m.contains("lowercase"), "{m}");
    }

    #[test]
    fn cloudformation_stack_arn() {
        let m = msg(
            "arn:aws:cloudformation:us-east-1:123456789012:stack/SpotStack/8c2f1b30-1d2e-11ef-9a3b-0a1b2c3d4e5f",
            Commercial,
        );
        assert!(
            m.contains("CloudFormation stack")
                && m.contains("Outputs")
                && m.contains("arn:aws:iam::123456789012:role/"),
            "{m}"
        );
    }

    #[test]
    fn other_iam_resources() {
        let m = msg("arn:aws:iam::123456789012:user/alice", Commercial);
        assert!(m.contains("IAM user"), "{m}");
        let m = msg(
            "arn:aws:iam::123456789012:instance-profile/SpotRole",
            Commercial,
        );
        assert!(
            m.contains("instance profile") && m.contains("arn:aws:iam::123456789012:role/SpotRole"),
            "{m}"
        );
        let m = msg("arn:aws:iam::123456789012:policy/SpotPolicy", Commercial);
        assert!(m.contains("policy") && m.contains("attached"), "{m}");
        let m = msg("arn:aws:iam::aws:policy/ReadOnlyAccess", Commercial);
        assert!(m.contains("12 digits"), "{m}");
        let m = msg("arn:aws:iam::123456789012:group/ops", Commercial);
        assert!(m.contains("group"), "{m}");
        let m = msg("arn:aws:iam::123456789012:root", Commercial);
        assert!(m.contains("whole account"), "{m}");
        let m = msg("arn:aws:iam::123456789012:role", Commercial);
        assert!(m.contains("Add the role's name"), "{m}");
        let m = msg("arn:aws:iam::123456789012:oidc-provider/x", Commercial);
        assert!(m.contains("does not point to a role"), "{m}");
    }

    #[test]
    fn assumed_role_session_arn() {
        let m = msg(
            "arn:aws:sts::123456789012:assumed-role/SpotRole/session-1",
            Commercial,
        );
        assert!(
            m.contains("session") && m.contains("arn:aws:iam::123456789012:role/SpotRole"),
            "{m}"
        );
        let m = msg("arn:aws:s3:::my-bucket", Commercial);
        assert!(m.contains("“s3” service"), "{m}");
        let m = msg("arn:aws::::x", Commercial);
        assert!(m.contains("missing the service"), "{m}");
    }

    #[test]
    fn bare_account_id_and_role_name() {
        let m = msg("123456789012", Commercial);
        assert!(
            m.contains("account ID, not a role ARN")
                && m.contains("arn:aws:iam::123456789012:role/"),
            "{m}"
        );
        // As the AWS console's account menu shows it; the example has the digits alone.
        let m = msg("1234-5678-9012", Commercial);
        assert!(
            m.contains("account ID, not a role ARN")
                && m.contains("arn:aws:iam::123456789012:role/"),
            "{m}"
        );
        let m = msg("SpotRole", GovCloud);
        assert!(
            m.contains("role name alone")
                && m.contains("arn:aws-us-gov:iam::123456789012:role/SpotRole"),
            "{m}"
        );
        let m = msg("role/ops/SpotRole", Commercial);
        assert!(
            m.contains("only the end") && m.contains("role/SpotRole"),
            "{m}"
        );
        let m = msg("https://console.aws.amazon.com/iam", Commercial);
        assert!(m.contains("starts with “arn:”"), "{m}");
        let m = msg("\"arn:aws:iam::123456789012:role/R\"", Commercial);
        assert!(m.contains("quotation marks"), "{m}");
    }

    #[test]
    fn region_filled_in() {
        let m = msg("arn:aws:iam:us-east-1:123456789012:role/R", Commercial);
        assert!(
            m.contains("no region")
                && m.contains("“us-east-1”")
                && m.contains("arn:aws:iam::123456789012:role/R."),
            "{m}"
        );
    }

    #[test]
    fn account_part() {
        let m = msg("arn:aws:iam:::role/R", Commercial);
        assert!(m.contains("missing the 12-digit"), "{m}");
        let m = msg("arn:aws:iam::1234-5678-9012:role/R", Commercial);
        assert!(m.contains("without dashes: 123456789012"), "{m}");
        let m = msg("arn:aws:iam::12345678901:role/R", Commercial);
        assert!(
            m.contains("exactly 12 digits") && m.contains("“12345678901”"),
            "{m}"
        );
        assert!(role_arn("arn:aws:iam::1234567890123:role/R", Commercial).is_err());
    }

    #[test]
    fn account_ids() {
        assert_eq!(aws_account_id(" 123456789012 ").unwrap(), "123456789012");
        assert_eq!(
            aws_account_id("").unwrap_err().message,
            "Enter your 12-digit AWS account ID."
        );
        let m = aws_account_id("1234-5678-9012").unwrap_err().message;
        assert!(
            m.contains("without dashes") && m.contains("123456789012"),
            "{m}"
        );
        let m = aws_account_id("12345678901").unwrap_err().message;
        assert!(m.contains("has 11"), "{m}");
        assert!(aws_account_id("1234567890123").is_err());
        let m = aws_account_id("12345678901x").unwrap_err().message;
        assert!(m.contains("“x”"), "{m}");
        // Arabic-Indic digits are digits to Unicode, not to AWS.
        assert!(aws_account_id("١٢٣٤٥٦٧٨٩٠١٢").is_err());
        let m = aws_account_id("arn:aws-cn:iam::210987654321:role/R")
            .unwrap_err()
            .message;
        assert!(m.contains("role ARN") && m.contains("210987654321"), "{m}");
    }

    #[test]
    fn external_ids() {
        assert_eq!(external_id(" ab ").unwrap(), "ab");
        assert!(external_id("a").unwrap_err().message.contains("at least 2"));
        assert_eq!(
            external_id("").unwrap_err().message,
            "Enter the external ID."
        );
        let ok = "A1_+=,.@:/-".repeat(111) + "abc";
        assert_eq!(ok.len(), 1224);
        assert_eq!(external_id(&ok).unwrap(), ok);
        let too_long = format!("{ok}x");
        let m = external_id(&too_long).unwrap_err().message;
        assert!(m.contains("1224") && m.contains("1225"), "{m}");
        let m = external_id("ab cd").unwrap_err().message;
        assert!(m.contains("a space"), "{m}");
        let m = external_id("ab#cd").unwrap_err().message;
        assert!(m.contains("“#”"), "{m}");
        assert!(external_id("abé").unwrap_err().message.contains("U+00E9"));
    }

    #[test]
    fn batch_aws_account_id_lists() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            batch_aws_account_ids(&ids(&["123456789012", " 210987654321 "]), 2).unwrap(),
            ["123456789012", "210987654321"]
        );
        let m = |v: &[&str], n| batch_aws_account_ids(&ids(v), n).unwrap_err().message;
        assert!(m(&["123456789012"], 2).contains("same order: 1 for 2 Spot accounts"));
        assert!(m(&[], 1).contains("0 for 1 Spot account."));
        assert!(m(&["12345678901"], 1).contains("\"12345678901\" is not an AWS account ID"));
        assert!(m(&["123456789012", "123456789012"], 2).contains("123456789012 is listed twice"));
    }

    #[test]
    fn batch_choices() {
        assert!(
            batch_choice(0)
                .unwrap_err()
                .message
                .contains("at least one")
        );
        assert!(batch_choice(1).is_ok());
        assert!(batch_choice(BATCH_MAX).is_ok());
        let over = batch_choice(1200).unwrap_err().message;
        assert!(
            over.contains("at most 1000 members; 1200 are chosen"),
            "{over}"
        );
        assert!(over.contains("Choose 200 fewer"), "{over}");
    }

    #[test]
    fn batch_account_id_lists() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = batch_account_ids(&ids(&["act-0000000a", " act-0000000b "])).unwrap();
        assert_eq!(
            ok.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
            ["act-0000000a", "act-0000000b"]
        );
        let m = |v: Vec<String>| batch_account_ids(&v).unwrap_err().message;
        assert!(m(vec![]).contains("at least one"));
        let many: Vec<String> = (0..=BATCH_MAX).map(|i| format!("act-{i:08x}")).collect();
        assert!(m(many.clone()).contains("at most 1000 accounts; this one has 1001"));
        assert!(batch_account_ids(&many[..BATCH_MAX]).is_ok());
        let twice = m(ids(&["act-0000000a", "act-0000000b", "act-0000000a"]));
        assert!(twice.contains("act-0000000a is listed twice"), "{twice}");
        let bad = m(ids(&["act-0000000a", "act-ABCDEF12"]));
        assert!(
            bad.contains("\"act-ABCDEF12\" is not a Spot account ID"),
            "{bad}"
        );
    }

    #[test]
    fn organization_targets() {
        for good in [
            "r-ab12",
            "ou-ab12-cd34ef56",
            " ou-a1b2c3d4-0123456789abcdef ",
            "r-0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(org_unit_id(good).unwrap(), good.trim(), "{good}");
        }
        let m = |s: &str| org_unit_id(s).unwrap_err().message;
        assert!(m("").contains("Enter an organizational unit ID"));
        assert!(m("123456789012").contains("is an AWS account ID"));
        assert!(m("OU-AB12-CD34EF56").contains("lowercase"));
        for incomplete in [
            "ou-ab12",
            "ou-ab12-cd34",
            "ou-a-cd34ef56",
            "r-ab",
            "r-ab_12",
            "ou-ab12-cd34ef56-x",
        ] {
            assert!(
                m(incomplete).contains("is not complete"),
                "{incomplete}: {}",
                m(incomplete)
            );
        }
        assert!(m("o-abcdefghij").contains("neither an organizational unit ID"));
        assert_eq!(
            deployment_targets("ou-ab12-cd34ef56, r-ab12\nou-ab12-00000000").unwrap(),
            ["ou-ab12-cd34ef56", "r-ab12", "ou-ab12-00000000"]
        );
        let twice = deployment_targets("r-ab12 r-ab12").unwrap_err().message;
        assert!(twice.contains("listed twice"), "{twice}");
        assert!(
            deployment_targets(" , ")
                .unwrap_err()
                .message
                .contains("Enter")
        );
        assert!(
            deployment_targets("r-ab12, nope")
                .unwrap_err()
                .message
                .contains("\"nope\"")
        );
    }
}
