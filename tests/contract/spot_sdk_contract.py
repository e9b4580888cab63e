"""Spot's own Python SDK (spotinst-sdk2, from PyPI) against the local API server, unchanged but for
its base URL: the proof that the local server speaks Spot's contract, not just our reading of it.

Run by scripts/test (stage `contract`) with the server binary built; standalone:
    python tests/contract/spot_sdk_contract.py target/release/onramp-api
"""

import json
import os
import signal
import socket
import subprocess
import sys
import unittest
import urllib.request

from spotinst_sdk2 import SpotinstSession
from spotinst_sdk2.client import SpotinstClientException
from spotinst_sdk2.models.setup.azure import AzureCredentials

SERVER_BIN = None
BASE = None
_server = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary):
    port = free_port()
    # Own process group, so stopping it never leaves a child behind (pyenv shims wrap processes).
    proc = subprocess.Popen(
        [binary, "--listen", f"127.0.0.1:{port}", "--db", ":memory:", "--dist", "/nonexistent"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
    )
    line = proc.stdout.readline()
    if "Onramp is running at" not in line:
        raise RuntimeError(f"server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{port}/api"


def sign_up(email):
    """Our own sign-up route (Spot keeps sign-up private): the SDK needs a token to begin with."""
    body = json.dumps(
        {
            "fullName": "Grace Hopper",
            "company": "Contract Co",
            "email": email,
            "country": "US",
            "password": "Compil3r!",
        }
    ).encode()
    req = urllib.request.Request(
        BASE + "/auth/signup", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as resp:
        env = json.load(resp)
    return env["response"]["items"][0]["accessToken"]


def session(token, account_id=None):
    return SpotinstSession(base_url=BASE, auth_token=token, account_id=account_id)


def client(token, name, account_id=None):
    return session(token, account_id).client(name, print_output=False)


class SdkAgainstLocalServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = sign_up("grace@contract.example")
        cls.admin = client(cls.token, "admin")

    def test_accounts_create_list_rename_delete(self):
        created = self.admin.create_account("Staging")
        # The SDK turns camelCase into snake_case: Spot answers `id` here, `accountId` in lists.
        self.assertRegex(created["id"], r"^act-[0-9a-f]{8}$")
        self.assertEqual(created["name"], "Staging")
        listed = {a["account_id"]: a for a in self.admin.get_accounts()}
        self.assertIn(created["id"], listed)
        self.assertIsNone(listed[created["id"]]["cloud_provider"])

        status = self.admin.update_account(created["id"], "Staging EU")
        self.assertEqual(status["code"], 200)
        names = {a["account_id"]: a["name"] for a in self.admin.get_accounts()}
        self.assertEqual(names[created["id"]], "Staging EU")

        self.admin.delete_account(created["id"])
        self.assertNotIn(created["id"], {a["account_id"] for a in self.admin.get_accounts()})

    def test_aws_external_id_then_credentials_connects_the_account(self):
        account = self.admin.create_account("AWS prod")["id"]
        aws = client(self.token, "setup_aws", account)
        ext = aws.create_external_id()
        self.assertRegex(ext["external_id"], r"^[A-Za-z0-9_+=,.@:/-]{2,1224}$")
        self.assertTrue(ext["max_valid_until"].endswith("Z"))
        status = aws.set_credentials("arn:aws:iam::123456789012:role/Spot-Role")
        self.assertEqual(status["code"], 200)
        listed = {a["account_id"]: a for a in self.admin.get_accounts()}
        self.assertEqual(listed[account]["cloud_provider"], "aws")
        self.assertEqual(listed[account]["provider_external_id"], "123456789012")

    def test_validation_error_reaches_the_sdk_with_spots_shape(self):
        account = self.admin.create_account("AWS bad")["id"]
        aws = client(self.token, "setup_aws", account)
        aws.create_external_id()
        with self.assertRaises(SpotinstClientException) as caught:
            aws.set_credentials("arn:aws:cloudformation:us-east-1:123456789012:stack/Spot/abc")
        body = json.loads(caught.exception.message.split("\n", 1)[1])
        self.assertEqual(body["status"]["code"], 400)
        self.assertEqual(body["errors"][0]["code"], "ValidationError")
        self.assertEqual(body["errors"][0]["field"], "body.credentials.iamRole")

    def test_azure_validation_accepts_what_the_sdk_sends(self):
        account = self.admin.create_account("Azure dev")["id"]
        azure = client(self.token, "setup_azure", account)
        creds = AzureCredentials(
            client_id="0f8fad5b-d9cb-469f-a165-70867728950e",
            client_secret="s3cr3t~value.from.portal",
            tenant_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
            subscription_id="9b2e3f1a-0c4d-4e5f-8a6b-7c8d9e0f1a2b",
        )
        self.assertEqual(azure.validate_credentials(creds)["code"], 200)
        # This SDK version sends no expirationDate; the contract requires it for set-credentials,
        # so the server must refuse with a field error rather than store a secret without expiry.
        with self.assertRaises(SpotinstClientException) as caught:
            azure.set_credentials(creds)
        body = json.loads(caught.exception.message.split("\n", 1)[1])
        self.assertEqual(body["errors"][0]["field"], "body.expirationDate")

    def test_another_organizations_account_is_invisible(self):
        other_token = sign_up("ada@other.example")
        other_account = client(other_token, "admin").create_account("Theirs")["id"]
        mine = {a["account_id"] for a in self.admin.get_accounts()}
        self.assertNotIn(other_account, mine)
        aws = client(self.token, "setup_aws", other_account)
        with self.assertRaises(SpotinstClientException) as caught:
            aws.create_external_id()
        body = json.loads(caught.exception.message.split("\n", 1)[1])
        self.assertEqual(body["errors"][0]["code"], "Account_DOESNT_EXIST")

    def test_users_lists_the_organizations_users(self):
        # GET /setup/organization/user: Spot's route, served from the users table.
        users = self.admin.get_users()
        by_email = {u["email"]: u for u in users}
        me = by_email["grace@contract.example"]
        self.assertRegex(me["user_id"], r"^u-[0-9a-f]{8}$")
        self.assertEqual(me["full_name"], "Grace Hopper")
        self.assertEqual(me["role"], "admin")
        self.assertTrue(me["created_at"].endswith("Z"))
        # Another organization's user is never listed.
        sign_up("linus@elsewhere.example")
        self.assertNotIn("linus@elsewhere.example", {u["email"] for u in self.admin.get_users()})


def main():
    global SERVER_BIN, BASE, _server
    SERVER_BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/onramp-api"
    _server, BASE = start_server(SERVER_BIN)
    try:
        result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
    finally:
        os.killpg(_server.pid, signal.SIGTERM)
        _server.wait(timeout=10)
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or result.testsRun == 0 else 0)


if __name__ == "__main__":
    main()
