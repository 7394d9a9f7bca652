"""Registry checks: departments ask yes/no questions about ID numbers and get one boolean per
row, nothing else; every question is logged with its purpose and legal basis. Adapters: our own
records (blind index), a department's CSV file, and an HTTP registry with HMAC-signed requests
and answers — tested against a real HTTP server on loopback, no mocks."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from tests.conftest import ALICE_ID
from yizhan.core.errors import Invalid, NotAllowed
from yizhan.membership import services
from yizhan.membership.models import Registry, RegistryQuery
from yizhan.membership.registry import RegistryUnavailable, match_hash

from .conftest import BOB_ID

STRANGER = "620102198001011233"
PURPOSE = {"purpose": "核验社保转移", "legal_basis": "《社会保险法》第19条及数据共享协议"}


def ask(actor, question, ids, **kw):
    return services.registry_check(actor=actor, question=question, id_numbers=ids, **PURPOSE, **kw)


def test_a_department_gets_yes_or_no_per_row_and_the_question_is_logged(world, city):
    answers = ask(city.dan, "registered_worker", [ALICE_ID, STRANGER, "not-an-id", BOB_ID.lower()])
    assert answers == [True, False, None, True]
    log = RegistryQuery.objects.get()
    assert (log.asked_by, log.department, log.question) == (
        city.dan,
        city.labour,
        "registered_worker",
    )
    assert (log.purpose, log.legal_basis, log.rows, log.yes) == (
        PURPOSE["purpose"],
        PURPOSE["legal_basis"],
        4,
        2,
    )
    assert ALICE_ID not in json.dumps(list(RegistryQuery.objects.values()), default=str)


def test_the_api_answer_holds_booleans_and_nothing_else(world, city, login):
    response = login(city.dan).post(
        "/api/v1/membership/registry/checks",
        {"question": "registered_worker", "id_numbers": [ALICE_ID, STRANGER], **PURPOSE},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {"answers": [True, False], "rows": 2, "yes": 1}
    assert "王" not in response.content.decode()


def test_the_page_shows_masked_numbers_and_yes_or_no_only(world, city, login):
    page = login(city.dan).post(
        reverse("membership:registry"),
        {"question": "registered_worker", "id_numbers": f"{ALICE_ID}\n{STRANGER}", **PURPOSE},
    )
    body = page.content.decode()
    assert "620***********1230" in body and ALICE_ID not in body
    assert "王小川" not in body and "王**" not in body
    assert "核验社保转移" in body  # in the log


def test_volunteer_and_member_of_questions_use_memberships(world, city):
    from yizhan.membership.models import Officer

    Officer.objects.create(organisation=world.bees, user=city.kim, post="leader")
    bees = services.membership_apply(user=world.bob, organisation=world.bees)
    services.membership_approve(actor=city.kim, membership_id=bees.pk)
    assert ask(city.dan, "volunteer", [ALICE_ID, BOB_ID]) == [False, True]
    assert ask(city.dan, "member_of", [BOB_ID], organisation=world.bees) == [True]


def test_union_and_party_membership_cannot_be_asked_about(world, city):
    with pytest.raises(NotAllowed) as refused:
        ask(city.dan, "member_of", [ALICE_ID], organisation=world.cg_union)
    assert "sensitive" in str(refused.value)
    with pytest.raises(NotAllowed):
        ask(city.adam, "member_of", [ALICE_ID], organisation=world.cg_party)
    assert not RegistryQuery.objects.exists()


def test_purpose_and_legal_basis_are_required(world, city):
    with pytest.raises(Invalid) as refused:
        services.registry_check(
            actor=city.dan,
            question="registered_worker",
            id_numbers=[ALICE_ID],
            purpose="",
            legal_basis=" ",
        )
    assert set(refused.value.fields) == {"purpose", "legal_basis"}
    assert not RegistryQuery.objects.exists()


def test_workers_officers_and_keepers_may_not_ask(world, city, login):
    for person in (city.alice, city.kim, world.cora):
        with pytest.raises(NotAllowed):
            ask(person, "registered_worker", [ALICE_ID])
    assert login(city.kim).get(reverse("membership:registry")).status_code == 403


def test_erased_workers_are_no_longer_registered(world, city):
    from yizhan.accounts.models import WorkerProfile

    WorkerProfile.objects.filter(user=city.alice).update(erased_at="2026-11-20T00:00:00Z")
    assert ask(city.dan, "registered_worker", [ALICE_ID]) == [False]


# --- a department's CSV file -----------------------------------------------------------------


def test_the_csv_adapter_answers_from_hashes_or_plain_numbers(world, city, tmp_path):
    key = "shared-match-key"
    path = tmp_path / "residence.csv"
    path.write_text(f"id_hash\n{match_hash(key, ALICE_ID)}\n", encoding="utf-8")
    Registry.objects.create(
        code="gaj-residence",
        name="公安局居住证登记",
        kind="csv",
        question="residence_permit",
        csv_path=str(path),
        match_key=key,
    )
    assert ask(city.dan, "residence_permit", [ALICE_ID, BOB_ID]) == [True, False]
    path.write_text(f"id_number\n{BOB_ID}\n", encoding="utf-8")
    assert ask(city.dan, "residence_permit", [ALICE_ID, BOB_ID]) == [False, True]
    assert RegistryQuery.objects.filter(registry__code="gaj-residence").count() == 2


# --- a department's HTTP registry --------------------------------------------------------------


class FakeRegistry(BaseHTTPRequestHandler):
    """A small real registry: checks the request's signature independently of our code, and
    signs its answer. Holds the keyed hashes of the ID numbers it knows."""

    secret = b""
    known: set = set()
    seen: list = []
    tamper = False

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ts, nonce = self.headers["X-Registry-Timestamp"], self.headers["X-Registry-Nonce"]
        message = "\n".join(["POST", self.path, ts, nonce, hashlib.sha256(body).hexdigest()])
        expected = hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Registry-Signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        request = json.loads(body)
        type(self).seen.append(request)
        answer = json.dumps({"answers": [h in self.known for h in request["hashes"]]}).encode()
        signed = "\n".join(["RESPONSE", nonce, hashlib.sha256(answer).hexdigest()])
        signature = hmac.new(self.secret, signed.encode(), hashlib.sha256).hexdigest()
        if type(self).tamper:
            answer = answer.replace(b"false", b"true ")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Registry-Signature", signature)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_registry(world):
    FakeRegistry.secret = b"registry-secret"
    FakeRegistry.known = {match_hash("match-key", ALICE_ID)}
    FakeRegistry.seen = []
    FakeRegistry.tamper = False
    server = HTTPServer(("127.0.0.1", 0), FakeRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    registry = Registry.objects.create(
        code="rsj-insurance",
        name="人社局社保登记",
        kind="http",
        question="social_insurance",
        url=f"http://127.0.0.1:{server.server_address[1]}/v1/check",
        key_id="yizhan",
        secret="registry-secret",
        match_key="match-key",
        timeout_seconds=5,
    )
    yield registry
    server.shutdown()
    server.server_close()


def test_the_http_adapter_sends_signed_hashes_and_trusts_only_signed_answers(http_registry, city):
    assert ask(city.dan, "social_insurance", [ALICE_ID, BOB_ID, "bad"]) == [True, False, None]
    [sent] = FakeRegistry.seen
    assert sent["hashes"] == [match_hash("match-key", ALICE_ID), match_hash("match-key", BOB_ID)]
    assert ALICE_ID not in json.dumps(sent)  # ID numbers travel only as keyed hashes
    assert sent["purpose"] == PURPOSE["purpose"] and sent["legal_basis"] == PURPOSE["legal_basis"]


def test_a_tampered_answer_is_refused_and_the_attempt_logged(http_registry, city):
    FakeRegistry.tamper = True
    with pytest.raises(RegistryUnavailable):
        ask(city.dan, "social_insurance", [BOB_ID])
    assert RegistryQuery.objects.get().channel == "failed"


def test_a_wrong_secret_is_refused_by_the_registry(http_registry, city):
    Registry.objects.filter(pk=http_registry.pk).update(secret="")
    http_registry.refresh_from_db()
    http_registry.secret = "not-the-secret"
    http_registry.save()
    with pytest.raises(RegistryUnavailable):
        ask(city.dan, "social_insurance", [BOB_ID])
    assert FakeRegistry.seen == []


def test_a_registry_that_is_down_is_a_clear_refusal(world, city):
    Registry.objects.create(
        code="down",
        name="停机的登记系统",
        kind="http",
        question="residence_permit",
        url="http://127.0.0.1:9/v1/check",
        secret="s",
        match_key="k",
        timeout_seconds=1,
    )
    with pytest.raises(RegistryUnavailable) as refused:
        ask(city.dan, "residence_permit", [BOB_ID])
    assert "Try again later" in str(refused.value)
