//! The awkward inputs people really paste, checked through the public API exactly as the
//! console and the server call it.

use onramp_core::validate::{self as v, AwsEnvironment::*, Partition};

fn refused(r: v::Checked<impl std::fmt::Debug>) -> String {
    match r {
        Ok(x) => panic!("accepted: {x:?}"),
        Err(e) => e.message,
    }
}

#[test]
fn cloudformation_stack_arns() {
    for stack in [
        "arn:aws:cloudformation:us-east-1:123456789012:stack/spot-onboarding/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "arn:aws-us-gov:cloudformation:us-gov-west-1:123456789012:stack/spot/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "arn:aws:cloudformation:eu-west-1:123456789012:stackset/spot:0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    ] {
        for env in [Commercial, GovCloud, China] {
            let m = refused(v::role_arn(stack, env));
            assert!(
                m.contains("CloudFormation stack") && m.contains("Outputs"),
                "{m}"
            );
        }
    }
}

#[test]
fn wrong_partition_for_every_choice() {
    for arn_env in [Commercial, GovCloud, China] {
        let p = Partition::from_choice(arn_env);
        let arn = format!("arn:{p}:iam::123456789012:role/Spot");
        for chosen in [Commercial, GovCloud, China] {
            let got = v::role_arn(&arn, chosen);
            if chosen == arn_env {
                assert_eq!(got.unwrap().to_string(), arn);
            } else {
                let m = refused(got);
                let want = format!(
                    "The role ARN must be in the {} partition because you chose {}",
                    Partition::from_choice(chosen),
                    chosen.label()
                );
                assert!(m.starts_with(&want), "{m}");
            }
        }
    }
    let m = refused(v::role_arn(
        "arn:aws-iso-b:iam::123456789012:role/Spot",
        GovCloud,
    ));
    assert!(
        m.contains("aws-iso-b") && m.contains("can't connect"),
        "{m}"
    );
}

#[test]
fn unicode_look_alikes() {
    // Cyrillic letters, a fullwidth colon, an en dash, a zero-width joiner, fullwidth digits.
    for arn in [
        "arn:aws:iam::123456789012:rоle/Spot",
        "arn:aws：iam::123456789012:role/Spot",
        "arn:aws:iam::123456789012:role/Spot\u{2013}Role",
        "arn:aws:iam::123456789012:role/Sp\u{200d}ot",
        "arn:aws:iam::１２３456789012:role/Spot",
    ] {
        let m = refused(v::role_arn(arn, Commercial));
        assert!(m.contains("U+") && m.contains("look-alike"), "{arn}: {m}");
    }
    assert!(refused(v::s3_bucket_name("my-bucкet")).contains("U+043A"));
    assert!(
        refused(v::azure_guid(
            "0f8fad5b-d9cb-469f-a165-7086772895Ое",
            "client ID"
        ))
        .contains("U+")
    );
    assert!(refused(v::external_id("spot-ехternal")).contains("U+0435"));
    assert!(refused(v::gcp_project_id("my-prојect")).contains("U+043E"));
    assert!(v::aws_account_id("１２３４５６７８９０１２").is_err());
    assert!(v::country("ＵＳ").is_err());
}

#[test]
fn surrounding_whitespace_is_trimmed_inner_is_refused() {
    let arn = "arn:aws:iam::123456789012:role/Spot";
    assert_eq!(
        v::role_arn(&format!(" \t{arn}\r\n"), Commercial)
            .unwrap()
            .to_string(),
        arn
    );
    assert!(
        refused(v::role_arn(
            "arn:aws:iam::123456789012:role/ Spot",
            Commercial
        ))
        .contains("spaces")
    );
    assert!(
        refused(v::role_arn(
            "arn:aws:iam::123456789012:\nrole/Spot",
            Commercial
        ))
        .contains("spaces")
    );
    assert_eq!(v::s3_bucket_name(" my-bucket\n").unwrap(), "my-bucket");
    assert!(refused(v::s3_bucket_name("my bucket")).contains("spaces"));
    assert_eq!(
        v::azure_guid("\t0F8FAD5B-D9CB-469F-A165-70867728950E ", "tenant ID").unwrap(),
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    );
    assert_eq!(v::external_id(" abc-123 ").unwrap(), "abc-123");
    assert!(v::external_id("abc 123").is_err());
    // Secrets are never trimmed: surrounding whitespace is refused instead.
    assert!(refused(v::azure_client_secret(" s3cr3t~value")).contains("starts or ends"));
    assert!(refused(v::azure_client_secret("s3cr3t~value\n")).contains("starts or ends"));
    assert_eq!(
        v::azure_client_secret("s3cr3t~value").unwrap(),
        "s3cr3t~value"
    );
}

#[test]
fn external_id_length_limits() {
    let id_1224 = "a".repeat(1224);
    assert_eq!(v::external_id(&id_1224).unwrap(), id_1224);
    let m = refused(v::external_id(&"a".repeat(1225)));
    assert!(m.contains("1224") && m.contains("1225"), "{m}");
    assert!(v::external_id("ab").is_ok());
    assert!(refused(v::external_id("a")).contains("at least 2"));
}

#[test]
fn ip_shaped_bucket_names() {
    for ip in [
        "192.168.5.4",
        "10.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "999.1.1.1",
    ] {
        assert!(
            refused(v::s3_bucket_name(ip)).contains("IP address"),
            "{ip}"
        );
    }
    // Dotted numbers that are not four groups are ordinary names.
    assert!(v::s3_bucket_name("192.168.5").is_ok());
    assert!(v::s3_bucket_name("1.2.3.4.5").is_ok());
    assert!(v::s3_bucket_name("192.168.5.4a").is_ok());
}

#[test]
fn common_mistakes_on_the_role_field() {
    let cases = [
        ("123456789012", "account ID, not a role ARN"),
        ("SpotRole", "role name alone"),
        ("arn:aws:iam::123456789012:user/ops", "IAM user"),
        (
            "arn:aws:iam::123456789012:instance-profile/SpotRole",
            "instance profile",
        ),
        ("arn:aws:iam::123456789012:policy/SpotPolicy", "policy"),
        (
            "arn:aws:iam:us-east-1:123456789012:role/SpotRole",
            "no region",
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/SpotRole/botocore-session-1",
            "assumed a role",
        ),
    ];
    for (input, hint) in cases {
        let m = refused(v::role_arn(input, Commercial));
        assert!(m.contains(hint), "{input}: {m}");
    }
}

#[test]
fn wrong_gcp_files() {
    let user =
        br#"{"type":"authorized_user","client_id":"x","client_secret":"y","refresh_token":"z"}"#;
    let m = refused(v::gcp_key_file(user));
    assert!(
        m.contains("user credentials file") && m.contains("not a service account key"),
        "{m}"
    );
    assert!(refused(v::gcp_key_file(&[0u8; 70_000])).contains("KiB"));
    assert!(refused(v::gcp_key_file(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a])).contains("not text"));
}
