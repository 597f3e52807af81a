"""A state machine over the admin API and the trigger, run against both stores at once.

The model is what a person would write down: which flows exist, whether each is enabled, which key each URL was
signed with, and the expected outcome of every call. After every step both receivers (in-memory and SQLite) must
hold exactly the history the model predicts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, rule

from flowmock_receiver import create_app
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from tests.helpers import call_flow

SCHEMA = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}


class ReceiverMachine(RuleBasedStateMachine):
    flows = Bundle("flows")

    @initialize()
    def start(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.stores = [MemoryStore(), SQLiteStore(Path(self.tmp.name) / "db")]
        self.apps = [create_app({"FLOWS": []}, store=s) for s in self.stores]
        self.clients = [a.test_client() for a in self.apps]
        self.model: dict[int, dict] = {}
        self.next_id = 0

    def teardown(self) -> None:
        for store in getattr(self, "stores", []):
            store.close()
        if hasattr(self, "tmp"):
            self.tmp.cleanup()

    @rule(target=flows, validation=st.booleans())
    def create(self, validation: bool) -> int:
        key = self.next_id
        self.next_id += 1
        made = [
            c.post(
                "/_flowmock/api/flows", json={"name": f"f{key}", "schema": SCHEMA, "schema_validation": validation}
            ).json
            for c in self.clients
        ]
        self.model[key] = {
            "ids": [m["id"] for m in made],
            "urls": {
                "primary": [m["callback_url"] for m in made],
                "secondary": [m["secondary_callback_url"] for m in made],
            },
            "stale": [],
            "enabled": True,
            "validation": validation,
            "history": [],
        }
        return key

    @rule(key=flows, enabled=st.booleans())
    def set_state(self, key: int, enabled: bool) -> None:
        if key not in self.model:
            return
        for client, flow_id in zip(self.clients, self.model[key]["ids"], strict=True):
            response = client.patch(
                f"/_flowmock/api/flows/{flow_id}", json={"state": "enabled" if enabled else "disabled"}
            )
            assert response.status_code == 200
        self.model[key]["enabled"] = enabled

    @rule(key=flows, key_type=st.sampled_from(["primary", "secondary"]))
    def regenerate(self, key: int, key_type: str) -> None:
        if key not in self.model:
            return
        flow = self.model[key]
        flow["stale"].append(list(flow["urls"][key_type]))
        new = []
        for client, flow_id in zip(self.clients, flow["ids"], strict=True):
            data = client.post(f"/_flowmock/api/flows/{flow_id}/regenerate-key", json={"key_type": key_type}).json
            new.append(data["callback_url" if key_type == "primary" else "secondary_callback_url"])
        flow["urls"][key_type] = new

    @rule(
        key=flows,
        which=st.sampled_from(["primary", "secondary", "stale"]),
        n=st.one_of(st.integers(0, 9), st.text(max_size=2)),
    )
    def post(self, key: int, which: str, n: object) -> None:
        if key not in self.model:
            return
        flow = self.model[key]
        if which == "stale" and not flow["stale"]:
            return
        urls = flow["stale"][-1] if which == "stale" else flow["urls"][which]
        conforms = isinstance(n, int)
        expected: str | None
        if which == "stale":
            expected, status = "DirectApiInvalidAuthorizationSignature", 401
        elif not flow["enabled"]:
            expected, status = "WorkflowTriggerIsNotEnabled", 400
        elif flow["validation"] and not conforms:
            expected, status = "TriggerInputSchemaMismatch", 400
        else:
            expected, status = None, 202
        for client, url in zip(self.clients, urls, strict=True):
            response = call_flow(client, url, {"n": n})
            assert response.status_code == status
            if expected is None:
                assert response.data == b""
            else:
                assert response.json["error"]["code"] == expected
        flow["history"].append((expected, conforms))

    @rule(key=consumes(flows))
    def delete(self, key: int) -> None:
        if key not in self.model:
            return
        for client, flow_id in zip(self.clients, self.model.pop(key)["ids"], strict=True):
            assert client.delete(f"/_flowmock/api/flows/{flow_id}").status_code == 204

    @rule()
    def reset(self) -> None:
        for client in self.clients:
            assert client.post("/_flowmock/api/reset", json={}).status_code == 200
        self.model.clear()

    @invariant()
    def history_matches_the_model_in_both_stores(self) -> None:
        if not hasattr(self, "clients"):
            return
        for index, client in enumerate(self.clients):
            listed = {f["id"] for f in client.get("/_flowmock/api/flows").json["flows"]}
            assert listed == {flow["ids"][index] for flow in self.model.values()}
            for flow in self.model.values():
                entries = client.get(f"/_flowmock/api/flows/{flow['ids'][index]}/triggers?limit=1000").json["triggers"]
                got = [(e["code"], e["contract"]["valid"]) for e in reversed(entries)]
                assert got == flow["history"]
                runs = client.get(f"/_flowmock/api/flows/{flow['ids'][index]}/runs").json["total"]
                assert runs == sum(1 for code, _ in flow["history"] if code is None)


ReceiverMachine.TestCase.settings = settings(stateful_step_count=25, deadline=None)
test_receiver_state_machine = ReceiverMachine.TestCase
