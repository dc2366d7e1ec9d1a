"""What the console and the activation service agree on: paths, error codes, lifetimes."""

from __future__ import annotations

API_PREFIX = "/v1"
PATH_HEALTH = f"{API_PREFIX}/health"
PATH_CHECK = f"{API_PREFIX}/credentials/check"
PATH_ACTIVATE = f"{API_PREFIX}/activations"
PATH_DEACTIVATE = f"{API_PREFIX}/deactivations"

SERVICE_NAME = "mfa-console-activation"
CREDENTIAL_TTL_SECONDS = 600  # the original's "valid for 10 minutes"
MAX_BODY_BYTES = 16 * 1024

# Error codes in the service's JSON answers: {"error": CODE, "message": TEXT}.
WRONG_CREDENTIALS = "wrong-credentials"
CREDENTIALS_EXPIRED = "credentials-expired"
CREDENTIALS_USED = "credentials-used"
GROUP_NOT_FOUND = "group-not-found"
NOT_AUTHORIZED = "not-authorized"
BAD_REQUEST = "bad-request"

ROLE_MASTER = "master"
ROLE_SUBORDINATE = "subordinate"
ROLES = {ROLE_MASTER: "Master", ROLE_SUBORDINATE: "Subordinate"}
