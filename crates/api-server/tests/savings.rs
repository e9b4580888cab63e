//! Savings come from tables only: empty without data, never invented.

mod common;

use common::*;

#[tokio::test]
async fn potential_savings_empty_then_from_the_table() {
    let app = TestApp::new();
    let (token, me) = app.signup("ps@example.com").await;
    let (_, other) = app.signup("ps2@example.com").await;
    let a = app.get("/api/aws/potentialSavings", &token).await;
    a.expect(200);
    assert_envelope(&a, "GET", "/aws/potentialSavings");
    assert_eq!(a.body["response"]["kind"], "spotinst:aws:potentialSavings");
    assert_eq!(a.body["response"]["count"], 0);
    let acc = me["defaultAccountId"].as_str().unwrap();
    let other_acc = other["defaultAccountId"].as_str().unwrap();
    app.exec(&format!(
        "INSERT INTO potential_savings (account_id, resource_type, name, region, instances, instance_types, potential_savings) VALUES \
         ('{acc}', 'autoScalingGroup', 'web-asg', 'us-east-1', 12, '[\"m5.large\",\"c5.xlarge\"]', 1234.5), \
         ('{acc}', 'autoScalingGroup', 'batch', 'eu-west-1', 3, '[\"r5.large\"]', 99.0), \
         ('{other_acc}', 'autoScalingGroup', 'theirs', 'us-west-2', 1, '[]', 5000.0)"
    ));
    let a = app
        .get(
            &format!("/api/aws/potentialSavings?accountId={acc}"),
            &token,
        )
        .await;
    a.expect(200);
    assert_same_shape(&a.body, &fixture("potential_savings.json"));
    assert_eq!(a.body["response"]["count"], 2);
    assert_eq!(a.item()["name"], "web-asg");
    assert_eq!(a.item()["potentialSavings"], 1234.5);
    assert_eq!(
        a.item()["instanceTypes"],
        serde_json::json!(["m5.large", "c5.xlarge"])
    );
    assert!(!a.text.contains("theirs"));
}

#[tokio::test]
async fn insights_savings_series_per_organization() {
    let app = TestApp::new();
    let (token, me) = app.signup("ins@example.com").await;
    let (_, other) = app.signup("ins2@example.com").await;
    let q = "/api/insights/savings?fromDate=2026-11-01&toDate=2026-11-30";
    let a = app.get(q, &token).await;
    a.expect(200);
    assert_envelope(
        &a,
        "GET",
        "/insights/savings?fromDate=2026-11-01&toDate=2026-11-30",
    );
    assert_eq!(a.body["response"]["kind"], "spotinst:insights:savings");
    assert_eq!(a.body["response"]["count"], 0);
    let org = me["organizationId"].as_str().unwrap();
    let other_org = other["organizationId"].as_str().unwrap();
    app.exec(&format!(
        "INSERT INTO savings (org_id, date, amount) VALUES ({org}, '2026-11-02', 10.0), ({org}, '2026-11-02', 2.5), \
         ({org}, '2026-11-05', 7.0), ({org}, '2026-12-01', 100.0), ({other_org}, '2026-11-03', 999.0)"
    ));
    let a = app.get(q, &token).await;
    assert_eq!(
        a.body["response"]["items"],
        serde_json::json!([{"date": "2026-11-02", "savings": 12.5}, {"date": "2026-11-05", "savings": 7.0}])
    );
    app.get("/api/insights/savings?toDate=2026-11-30", &token)
        .await
        .expect_error(400, "ValidationError", Some("query.fromDate"));
    app.get(
        "/api/insights/savings?fromDate=2026-11-01&toDate=30/11/2026",
        &token,
    )
    .await
    .expect_error(400, "ValidationError", Some("query.toDate"));
    app.get(
        "/api/insights/savings?fromDate=2026-12-01&toDate=2026-11-30",
        &token,
    )
    .await
    .expect_error(400, "ValidationError", Some("query.toDate"));
}
