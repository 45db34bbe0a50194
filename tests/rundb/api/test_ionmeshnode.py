"""ionmeshnode: peers, key exchange, validation and who may see them; the mesh mount."""
import pytest

from rundb import models as m

from . import factories


@pytest.fixture
def node(db):
    return m.IonMeshNode.objects.create(hostname="127.0.0.1:9", system_id="peer-1", apikey_local="l" * 40,
                                        apikey_remote="r" * 40)


def test_system_id_is_stable(api):
    first = api.get("ionmeshnode/system_id/").json()
    assert len(first["system_id"]) == 36 and first["hostname"]
    assert api.get("ionmeshnode/system_id/").json()["system_id"] == first["system_id"]


def test_exchange_keys_creates_then_updates(api):
    body = {"system_id": "abc", "apikey": "k1", "hostname": "peer.example", "name": "Peer"}
    reply = api.post("ionmeshnode/exchange_keys/", body)
    assert reply.status_code == 200, reply.content
    local = reply.json()["apikey"]
    assert len(local) == 40
    reply = api.client.post("/rundb/api/v1/ionmeshnode/exchange_keys/", {**body, "apikey": "k2"}, **api.headers)
    assert reply.json()["apikey"] == local  # form fields work too; our key stays
    peer = m.IonMeshNode.objects.get(system_id="abc")
    assert (peer.apikey_remote, peer.hostname) == ("k2", "peer.example")


def test_exchange_keys_bad_input(api, client_for):
    assert api.post("ionmeshnode/exchange_keys/", {"system_id": "x"}).status_code == 400
    assert api.post("ionmeshnode/exchange_keys/", raw="{", body=None).status_code == 400
    assert api.post("ionmeshnode/exchange_keys/", ["x"]).status_code == 400
    assert api.get("ionmeshnode/exchange_keys/").status_code == 405
    m.IonMeshNode.objects.create(hostname="taken", system_id="other")
    reply = api.post("ionmeshnode/exchange_keys/", {"system_id": "new", "apikey": "k", "hostname": "taken"})
    assert reply.status_code == 409
    user = client_for(*factories.user(groups=["ionusers"]))
    body = {"system_id": "a", "apikey": "k", "hostname": "h"}
    assert user.post("ionmeshnode/exchange_keys/", body).status_code == 403


def test_validate_reports_connection_error(api, node):
    body = api.get(f"ionmeshnode/{node.pk}/validate/").json()
    assert body["status"] == "Connection Error" and body["hostname"] == "127.0.0.1:9" and body["error"]
    assert api.get("ionmeshnode/999999/validate/").status_code == 404


def test_only_staff_see_nodes_and_no_post(api, client_for, node):
    assert api.get("ionmeshnode/").json()["meta"]["total_count"] == 1
    user = client_for(*factories.user(groups=["ionusers"]))
    assert user.get("ionmeshnode/").status_code == 403
    assert user.get(f"ionmeshnode/{node.pk}/").status_code == 403
    assert api.post("ionmeshnode/", {"hostname": "x", "system_id": "y"}).status_code == 405
    assert api.patch(f"ionmeshnode/{node.pk}/", {"share_data": False}).status_code == 202
    assert api.delete(f"ionmeshnode/{node.pk}/").status_code == 204


def test_mesh_mount(api, anon, node):
    root = anon.get("/rundb/api/mesh/v1/").json()
    assert set(root) == {"compositeexperiment", "meshprefetch", "autodiscoveredhosts"}
    listing = api.get("/rundb/api/mesh/v1/compositeexperiment/")
    assert listing.status_code == 200
    assert listing.json()["meta"]["mesh"]["127.0.0.1:9"]["status"] == "not fetched"
    assert api.get("/rundb/api/mesh/v1/meshprefetch/").json()["nodes"]["127.0.0.1:9"]["prefetched"] is False
    hosts = api.get("/rundb/api/mesh/v1/autodiscoveredhosts/").json()
    assert hosts["objects"] == [] and "not configured" in hosts["error"]
    assert anon.get("/rundb/api/mesh/v1/compositeexperiment/").status_code == 401


def test_network(api):
    body = api.get("network/").json()
    assert set(body) == {"eth_device", "route", "internal_ip", "external_ip"}
    assert body["external_ip"] is None


def test_a_peer_reads_with_its_mesh_key(api, db):
    key = api.post("ionmeshnode/exchange_keys/", {"system_id": "peer-9", "apikey": "theirs",
                                                  "hostname": "peer9"}).json()["apikey"]
    from django.test import Client

    client = Client()
    header = {"HTTP_AUTHORIZATION": f"system_id peer-9:{key}"}
    assert client.get("/rundb/api/v1/plannedexperiment/", **header).status_code == 200
    assert client.get("/rundb/api/mesh/v1/compositeexperiment/", **header).status_code == 200
    assert client.get("/rundb/api/v1/ionmeshnode/", **header).status_code == 200
    assert client.get("/rundb/api/v1/project/", {"system_id": "peer-9", "api_key": key}).status_code == 200
    # Only the listed resources, only reads, only the right key.
    assert client.get("/rundb/api/v1/results/", **header).status_code == 401
    wrong = {"HTTP_AUTHORIZATION": "system_id peer-9:wrong"}
    assert client.get("/rundb/api/v1/plannedexperiment/", **wrong).status_code == 401
    assert client.get("/rundb/api/v1/plannedexperiment/", HTTP_AUTHORIZATION="system_id nobody:x").status_code == 401
    reply = client.post("/rundb/api/v1/project/", data='{"name": "x"}', content_type="application/json", **header)
    assert reply.status_code == 403
