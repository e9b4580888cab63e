# Sends the stack's role ARN to Onramp with the one-time connect token, then always answers
# CloudFormation, so the stack never hangs. Standard library only.
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

RETRY_FOR = 60  # seconds spent retrying transient failures at most
RESERVE_MS = 10000  # kept back to answer CloudFormation before the function times out


class NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would resend the token elsewhere (or turn the POST into a GET): refuse it.
    def redirect_request(self, *args):
        return None


OPEN = urllib.request.build_opener(NoRedirect).open


def handler(event, context):
    props = event.get("ResourceProperties", {})
    pid = event.get("PhysicalResourceId") or "spot-connect-%s" % props.get("AccountId", "")
    try:
        if event["RequestType"] in ("Create", "Update"):
            status, reason = connect(props, context)
            if status == "USED" and same_role(event):
                # An update that keeps the role (a renewed token, a rollback) finds the account
                # already connected by this token: failing would leave the stack stuck.
                status, reason = "SUCCESS", "Already connected: Spot account %s uses this role." % \
                    props.get("AccountId", "")
            elif status == "USED":
                status = "FAILED"
        else:
            status, reason = "SUCCESS", "Nothing to undo: Onramp keeps the account."
    except Exception as e:  # never leave CloudFormation waiting
        status, reason = "FAILED", "Unexpected error in the connect function: %s" % type(e).__name__
    print("%s %s: %s" % (event.get("RequestType"), status, reason))
    answer(event, status, reason, pid)


def same_role(event):
    old = event.get("OldResourceProperties") or {}
    return event["RequestType"] == "Update" and \
        old.get("RoleArn") == event.get("ResourceProperties", {}).get("RoleArn")


def connect(p, context):
    url = "%s/setup/credentials/aws?accountId=%s" % (
        p["ApiUrl"].rstrip("/"), urllib.parse.quote(p["AccountId"]))
    body = json.dumps({"credentials": {"iamRole": p["RoleArn"]}}).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + p["ConnectToken"]}
    budget = (context.get_remaining_time_in_millis() - RESERVE_MS) / 1000.0
    deadline = time.time() + min(RETRY_FOR, budget)
    delay, attempt, problem = 1, 0, "no time was left to try"
    while time.time() < deadline:
        attempt += 1
        try:
            req = urllib.request.Request(url, body, headers, method="POST")
            with OPEN(req, timeout=max(0.5, min(10, deadline - time.time()))):
                return "SUCCESS", "Connected: Spot account %s now uses this role." % p["AccountId"]
        except urllib.error.HTTPError as e:
            if e.code != 429 and e.code < 500:
                code, reason = refused(e, p)
                # The caller decides whether "already used" is a failure.
                return ("USED" if code == "CONNECT_TOKEN_USED" else "FAILED"), reason
            problem = "Onramp answered %d" % e.code
        except (OSError, http.client.HTTPException) as e:
            problem = "Onramp could not be reached (%s)" % (getattr(e, "reason", None) or e or type(e).__name__)
        print("Attempt %d failed: %s" % (attempt, problem))
        pause = min(delay, deadline - time.time())
        if pause > 0:
            time.sleep(pause)
        delay = min(delay * 2, 8)
    return "FAILED", "%s; gave up after %d attempt(s). Check that %s is reachable from AWS, " \
        "then update or recreate the stack." % (problem, attempt, p["ApiUrl"])


def refused(e, p):
    """The refusal's code and the words to show for it."""
    try:
        err = json.loads(e.read())["response"]["errors"][0]
    except Exception:
        err = {}
    code, msg = err.get("code", ""), err.get("message", "")
    if e.code == 401:
        if code in ("", "Unauthorized"):
            msg = "The connect token is not valid (it was replaced or revoked): get a new one " \
                "from Onramp and run the stack again with it."
        return code, msg
    if e.code == 400:
        return code, "Onramp refused the role: %s" % msg
    if e.code == 404:
        return code, "No Onramp API at %s (404): check the ApiUrl parameter." % p["ApiUrl"]
    return code, ("Onramp answered %d: %s" % (e.code, msg)).strip(": ")


def answer(event, status, reason, pid):
    body = json.dumps({
        "Status": status, "Reason": reason[:800], "PhysicalResourceId": pid,
        "StackId": event["StackId"], "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"], "Data": {},
    }).encode()
    # The pre-signed URL was signed without a content type: send an empty one.
    req = urllib.request.Request(event["ResponseURL"], body, {"Content-Type": ""}, method="PUT")
    for attempt in (1, 2):
        try:
            with urllib.request.urlopen(req, timeout=4) as r:
                print("CloudFormation answered %d" % r.status)
                return
        except Exception as e:
            print("Answering CloudFormation failed (attempt %d): %s" % (attempt, type(e).__name__))
            time.sleep(attempt)
