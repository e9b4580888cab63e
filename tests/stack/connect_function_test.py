"""The linked-account template's connect function, run as CloudFormation would run it, against
the real local server: its code is read from the shipped template (Code.ZipFile), a local HTTP
catcher stands in for CloudFormation's ResponseURL, and a fake context gives the time left.
The same function read from a generated StackSet template (tests/templates) runs with a batch
connect token, its custom resource's properties resolved from that template as CloudFormation
would in each member account.

Run by scripts/test (stage `stack`) with the server binary built; standalone:
    python3 tests/stack/connect_function_test.py target/debug/onramp-api
Standard library only.
"""

import http.server
import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from contextlib import redirect_stdout

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "public", "templates", "spot-linked-account.json")
STACKSET_TEMPLATE = os.path.join(ROOT, "tests", "templates", "spot-stackset-3-members.json")
ROLE = "arn:aws:iam::123456789012:role/Spot-Role-test"
SERVER_BIN = None


def load_function(path=TEMPLATE):
    """The function's code from a template, imported as CloudFormation names it."""
    with open(path) as f:
        template = json.load(f)
    fn = template["Resources"]["SpotConnectFunction"]["Properties"]
    assert fn["Runtime"] == "python3.12" and fn["Handler"] == "index.handler", fn
    folder = tempfile.mkdtemp(prefix="spot-connect-")
    path = os.path.join(folder, "index.py")
    with open(path, "w") as f:
        f.write(fn["Code"]["ZipFile"])
    spec = importlib.util.spec_from_file_location("index", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, fn["Timeout"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The local API server on an in-memory database, with live fault control."""

    def __init__(self):
        port = free_port()
        self.origin = f"http://127.0.0.1:{port}"
        self.api = self.origin + "/api"
        # Own process group, so stopping it never leaves a child behind.
        self.proc = subprocess.Popen(
            [SERVER_BIN, "--listen", f"127.0.0.1:{port}", "--db", ":memory:",
             "--dist", "/nonexistent", "--public-url", self.origin, "--fault-control"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, text=True)
        line = self.proc.stdout.readline()
        if "Onramp is running at" not in line:
            raise RuntimeError(f"server did not start: {line!r}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def call(self, method, path, token=None, body=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.api + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def faults(self, **knobs):
        status, body = self.call("POST", "/_faults", body={
            "latencyMs": 0, "errorRate": 0, "only": None, "connectTokenTtlSecs": None,
            "batchTokenTtlSecs": None, **knobs})
        assert status == 200, body


class Catcher:
    """Stands in for CloudFormation's pre-signed ResponseURL (and for any other URL the function
    must not call): records every request."""

    def __init__(self):
        self.requests = []
        catcher = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                catcher.requests.append({
                    "method": self.command, "path": self.path,
                    "headers": dict(self.headers), "body": self.rfile.read(n),
                })
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST = do_GET = do_any

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeContext:
    """Lambda's context: only the time left matters to the function."""

    def __init__(self, budget_ms):
        self.deadline = time.monotonic() + budget_ms / 1000.0

    def get_remaining_time_in_millis(self):
        return int((self.deadline - time.monotonic()) * 1000)


class FunctionCase(unittest.TestCase):
    """A server with a signed-up admin, the catcher, and the function of `TEMPLATE_PATH`."""

    TEMPLATE_PATH = TEMPLATE

    @classmethod
    def setUpClass(cls):
        cls.fn, cls.timeout_s = load_function(cls.TEMPLATE_PATH)
        cls.server = Server()
        cls.catcher = Catcher()
        status, body = cls.server.call("POST", "/auth/signup", body={
            "fullName": "Grace Hopper", "company": "Stack Co", "email": "stack@example.com",
            "country": "US", "password": "Compil3r!-stack"})
        assert status == 200, body
        cls.session = body["response"]["items"][0]["accessToken"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.catcher.stop()

    def setUp(self):
        self.server.faults()
        self.catcher.requests.clear()

    # ---- helpers -----------------------------------------------------------------------------

    def new_account(self):
        """A new Spot account with an external ID and a connect token: (account id, token)."""
        s = self.server
        status, body = s.call("POST", "/setup/account", self.session,
                              {"account": {"name": "Stack %d" % time.monotonic_ns()}})
        self.assertEqual(status, 200, body)
        account = body["response"]["items"][0]["id"]
        status, body = s.call("POST", "/setup/credentials/aws/externalId?accountId=" + account,
                              self.session)
        self.assertEqual(status, 200, body)
        return account, self.mint(account)

    def mint(self, account):
        status, body = self.server.call("POST", "/onramp/aws/connect-token?accountId=" + account,
                                        self.session)
        self.assertEqual(status, 200, body)
        return body["response"]["items"][0]["connectToken"]

    def stored_role(self, account):
        status, body = self.server.call("GET", "/setup/credentials/aws?accountId=" + account,
                                        self.session)
        self.assertEqual(status, 200, body)
        items = body["response"]["items"]
        return items[0]["iamRole"] if items else None

    def event(self, account, token, request_type="Create", api=None, role=ROLE):
        event = {
            "RequestType": request_type,
            "ResponseURL": self.catcher.url + "/cloudformation-response?X-Amz-Signature=abc",
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/Spot-Linked/1",
            "RequestId": "req-%d" % time.monotonic_ns(),
            "LogicalResourceId": "SpotConnect",
            "ResourceType": "Custom::SpotConnect",
            "ResourceProperties": {
                "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:Spot-Connect",
                "ApiUrl": api or self.server.api,
                "AccountId": account,
                "ConnectToken": token,
                "RoleArn": role,
            },
        }
        if request_type != "Create":
            event["PhysicalResourceId"] = "spot-connect-" + account
        return event

    def run_function(self, event, budget_ms=None):
        """Runs the handler; returns (CloudFormation's answer, seconds taken, printed lines)."""
        budget_ms = budget_ms or self.timeout_s * 1000
        out = io.StringIO()
        started = time.monotonic()
        with redirect_stdout(out):
            self.fn.handler(event, FakeContext(budget_ms))
        took = time.monotonic() - started
        answers = [r for r in self.catcher.requests if r["path"].startswith("/cloudformation")]
        self.assertEqual(len(answers), 1, self.catcher.requests)
        answer = answers[0]
        self.assertEqual(answer["method"], "PUT")
        # The pre-signed URL was signed without a content type: none may be sent.
        self.assertEqual(answer["headers"].get("Content-Type"), "")
        body = json.loads(answer["body"])
        for key in ("Status", "Reason", "PhysicalResourceId", "StackId", "RequestId",
                    "LogicalResourceId"):
            self.assertIn(key, body)
        self.assertEqual(body["RequestId"], event["RequestId"])
        self.assertEqual(body["StackId"], event["StackId"])
        self.assertEqual(body["LogicalResourceId"], "SpotConnect")
        self.assertTrue(body["PhysicalResourceId"])
        printed = out.getvalue()
        self.assertNotIn(event["ResourceProperties"]["ConnectToken"], printed,
                         "the connect token is never logged")
        return body, took, printed


class ConnectFunctionTest(FunctionCase):
    def test_create_sets_the_role_and_answers_success(self):
        account, token = self.new_account()
        answer, took, _ = self.run_function(self.event(account, token))
        self.assertEqual(answer["Status"], "SUCCESS", answer)
        self.assertEqual(self.stored_role(account), ROLE)
        self.assertLess(took, 5)
        # The token is used up. An Update that keeps the role (a rollback, a new token for the
        # stack) finds the account connected and succeeds; one that brings another role fails.
        self.catcher.requests.clear()
        update = self.event(account, token, "Update")
        update["OldResourceProperties"] = dict(update["ResourceProperties"])
        answer, _, _ = self.run_function(update)
        self.assertEqual(answer["Status"], "SUCCESS", answer)
        self.assertIn("Already connected", answer["Reason"])
        self.assertEqual(answer["PhysicalResourceId"], "spot-connect-" + account)
        self.catcher.requests.clear()
        other = "arn:aws:iam::123456789012:role/Another-Role"
        update = self.event(account, token, "Update", role=other)
        update["OldResourceProperties"] = dict(update["ResourceProperties"], RoleArn=ROLE)
        answer, _, _ = self.run_function(update)
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("already used", answer["Reason"])
        self.assertEqual(self.stored_role(account), ROLE)

    def test_a_bad_token_fails_at_once_with_a_reason(self):
        account, _ = self.new_account()
        answer, took, printed = self.run_function(self.event(account, "not-the-token"))
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("connect token is not valid", answer["Reason"])
        self.assertIn("get a new one from Onramp", answer["Reason"])
        self.assertLess(took, 5, "a refused token is not retried")
        self.assertNotIn("Attempt", printed)
        self.assertIsNone(self.stored_role(account))

    def test_a_refused_role_fails_at_once_and_leaves_the_token_usable(self):
        account, token = self.new_account()
        answer, took, _ = self.run_function(self.event(account, token, role="not-an-arn"))
        self.assertEqual(answer["Status"], "FAILED")
        self.assertTrue(answer["Reason"].startswith("Onramp refused the role: "), answer)
        self.assertLess(took, 5)
        self.catcher.requests.clear()
        answer, _, _ = self.run_function(self.event(account, token))
        self.assertEqual(answer["Status"], "SUCCESS", answer)

    def test_an_expired_token_fails_with_a_reason(self):
        self.server.faults(connectTokenTtlSecs=1)
        account, token = self.new_account()
        time.sleep(1.2)
        answer, _, _ = self.run_function(self.event(account, token))
        self.assertEqual(answer["Status"], "FAILED")
        self.assertEqual(answer["Reason"],
                         "The connect token has expired: create a new stack from Onramp.")
        self.assertIsNone(self.stored_role(account))

    def test_api_down_retries_then_fails_before_the_deadline(self):
        account, token = self.new_account()
        closed = "http://127.0.0.1:%d/api" % free_port()
        budget_ms = self.fn.RESERVE_MS + 4000
        answer, took, printed = self.run_function(self.event(account, token, api=closed),
                                                  budget_ms)
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("could not be reached", answer["Reason"])
        self.assertIn(closed, answer["Reason"])
        self.assertGreaterEqual(printed.count("Attempt"), 2, printed)
        self.assertLess(took, budget_ms / 1000.0)

    def test_transient_errors_are_retried_until_the_api_answers(self):
        account, token = self.new_account()
        self.server.faults(errorRate=1, only="/api/setup/credentials/aws")
        # The API recovers after a moment, while the function is retrying.
        threading.Timer(1.5, self.server.faults).start()
        answer, took, printed = self.run_function(self.event(account, token))
        self.assertEqual(answer["Status"], "SUCCESS", answer)
        self.assertIn("Onramp answered 500", printed)
        self.assertGreater(took, 1.5)
        self.assertEqual(self.stored_role(account), ROLE)

    def test_a_slow_api_still_connects(self):
        account, token = self.new_account()
        self.server.faults(latencyMs=2000, only="/api/setup/credentials/aws")
        answer, took, _ = self.run_function(self.event(account, token))
        self.assertEqual(answer["Status"], "SUCCESS", answer)
        self.assertGreater(took, 2)

    def test_an_api_slower_than_the_deadline_still_gets_an_answer_in_time(self):
        account, token = self.new_account()
        self.server.faults(latencyMs=60000, only="/api/setup/credentials/aws")
        budget_ms = self.fn.RESERVE_MS + 3000
        answer, took, _ = self.run_function(self.event(account, token), budget_ms)
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("gave up", answer["Reason"])
        self.assertLess(took, budget_ms / 1000.0)

    def test_delete_answers_success_without_calling_the_api(self):
        account, token = self.new_account()
        # ApiUrl points at the catcher: any call to it would be recorded.
        event = self.event(account, token, "Delete", api=self.catcher.url + "/api")
        answer, took, _ = self.run_function(event)
        self.assertEqual(answer["Status"], "SUCCESS")
        self.assertEqual(answer["PhysicalResourceId"], "spot-connect-" + account)
        self.assertEqual([r["path"] for r in self.catcher.requests
                          if not r["path"].startswith("/cloudformation")], [])
        # And the token was not used: it still connects.
        self.catcher.requests.clear()
        answer, _, _ = self.run_function(self.event(account, token))
        self.assertEqual(answer["Status"], "SUCCESS", answer)

    def test_a_broken_event_still_gets_an_answer(self):
        event = self.event("act-00000000", "a-token-that-is-never-logged")
        del event["ResourceProperties"]["ApiUrl"]
        answer, _, _ = self.run_function(event)
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("Unexpected error", answer["Reason"])


def resolve(value, template, params, aws_account):
    """A template value as CloudFormation resolves it in the member account `aws_account`: the
    intrinsic functions the StackSet template's custom resource uses."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref":
            return aws_account if arg == "AWS::AccountId" else params[arg]
        if name == "Fn::FindInMap":
            table, key, field = (resolve(a, template, params, aws_account) for a in arg)
            return template["Mappings"][table][key][field]
        if name == "Fn::GetAtt" and arg == ["SpotinstRole", "Arn"]:
            role = template["Resources"]["SpotinstRole"]["Properties"]["RoleName"]
            return "arn:aws:iam::%s:role/%s" % (aws_account, role)
        if name == "Fn::GetAtt" and arg == ["SpotConnectFunction", "Arn"]:
            return "arn:aws:lambda:us-east-1:%s:function:Spot-Connect" % aws_account
        raise AssertionError("not resolved here: %r" % value)
    return value


class StackSetFunctionTest(FunctionCase):
    """The StackSet's members, each reporting its role with the batch connect token."""

    TEMPLATE_PATH = STACKSET_TEMPLATE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(STACKSET_TEMPLATE) as f:
            cls.template = json.load(f)
        linked, _ = load_function(TEMPLATE)
        with open(linked.__file__) as a, open(cls.fn.__file__) as b:
            assert a.read() == b.read(), "the StackSet runs the linked template's function"

    def members(self, n):
        """`n` new Spot accounts with external IDs, in a batch; the template deployed with their
        own Mappings (the generated one names example accounts): (batch id, token, members as
        (AWS account, Spot account))."""
        s = self.server
        members = []
        table = {}
        for i in range(n):
            status, body = s.call("POST", "/setup/account", self.session,
                                  {"account": {"name": "Member %d" % time.monotonic_ns()}})
            self.assertEqual(status, 200, body)
            account = body["response"]["items"][0]["id"]
            status, body = s.call("POST", "/setup/credentials/aws/externalId?accountId=" + account,
                                  self.session)
            self.assertEqual(status, 200, body)
            aws = "%012d" % (time.monotonic_ns() % 10**12)
            table[aws] = {"AccountId": account,
                          "ExternalId": body["response"]["items"][0]["externalId"]}
            members.append((aws, account))
        example = self.template["Mappings"]["SpotAccounts"]
        self.assertEqual({k for e in example.values() for k in e}, {"AccountId", "ExternalId"})
        self.template["Mappings"]["SpotAccounts"] = table
        status, body = s.call("POST", "/onramp/aws/batches", self.session,
                              {"accountIds": [m[1] for m in members],
                               "awsAccountIds": [m[0] for m in members]})
        self.assertEqual(status, 200, body)
        item = body["response"]["items"][0]
        return item["batchId"], item["connectToken"], members

    def member_event(self, aws, token, request_type="Create"):
        props = self.template["Resources"]["SpotConnect"]["Properties"]
        params = {"ApiUrl": self.server.api, "ConnectToken": token,
                  "Principal": self.template["Parameters"]["Principal"]["Default"]}
        resolved = {k: resolve(v, self.template, params, aws) for k, v in props.items()}
        event = self.event(resolved["AccountId"], token, request_type,
                           role=resolved["RoleArn"])
        event["ResourceProperties"] = resolved
        event["StackId"] = "arn:aws:cloudformation:us-east-1:%s:stack/StackSet-Spot/1" % aws
        return event

    def status(self, batch):
        status, body = self.server.call("GET", "/onramp/aws/batches/" + batch, self.session)
        self.assertEqual(status, 200, body)
        return {m["accountId"]: m for m in body["response"]["items"][0]["members"]}

    def test_each_member_connects_its_own_spot_account(self):
        batch, token, members = self.members(2)
        for aws, account in members:
            self.catcher.requests.clear()
            answer, took, _ = self.run_function(self.member_event(aws, token))
            self.assertEqual(answer["Status"], "SUCCESS", answer)
            self.assertIn(account, answer["Reason"])
            self.assertEqual(self.stored_role(account),
                             "arn:aws:iam::%s:role/Spot-Role-Onramp" % aws)
            self.assertLess(took, 5)
        self.assertEqual({m["state"] for m in self.status(batch).values()}, {"connected"})

    def test_a_member_outside_the_batch_fails_with_a_reason(self):
        batch, token, _ = self.members(1)
        # An account of the organization whose stack names a Spot account of another batch.
        _, _, others = self.members(1)
        aws, outsider = others[0]
        answer, took, printed = self.run_function(self.member_event(aws, token))
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("not in the batch", answer["Reason"])
        self.assertLess(took, 5, "a refusal is not retried")
        self.assertNotIn("Attempt", printed)
        self.assertIsNone(self.stored_role(outsider))

    def test_an_expired_batch_token_fails_and_the_member_shows_why(self):
        self.server.faults(batchTokenTtlSecs=1)
        batch, token, members = self.members(1)
        aws, account = members[0]
        time.sleep(1.2)
        answer, _, _ = self.run_function(self.member_event(aws, token))
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("expired", answer["Reason"])
        self.assertIn("Renew", answer["Reason"])
        self.assertIsNone(self.stored_role(account))
        member = self.status(batch)[account]
        self.assertEqual(member["state"], "failed")
        self.assertEqual(member["reason"], answer["Reason"])

    def test_a_renewed_token_works_and_the_old_one_no_longer_does(self):
        batch, old, members = self.members(2)
        status, body = self.server.call("POST", "/onramp/aws/batches/%s/token" % batch,
                                        self.session)
        self.assertEqual(status, 200, body)
        new = body["response"]["items"][0]["connectToken"]
        (aws0, account0), (aws1, account1) = members
        answer, _, _ = self.run_function(self.member_event(aws0, old))
        self.assertEqual(answer["Status"], "FAILED")
        self.assertIn("connect token is not valid", answer["Reason"])
        self.assertIsNone(self.stored_role(account0))
        for aws, account in members:
            self.catcher.requests.clear()
            answer, _, _ = self.run_function(self.member_event(aws, new))
            self.assertEqual(answer["Status"], "SUCCESS", answer)
        states = self.status(batch)
        self.assertEqual([states[a]["state"] for a in (account0, account1)],
                         ["connected", "connected"])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: connect_function_test.py path/to/onramp-api")
    SERVER_BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
