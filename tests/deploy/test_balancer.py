"""The HAProxy configuration `tessera run --replicas` writes (deploy/balancer.py) is one
HAProxy accepts, checks each replica's /readyz, and names every replica of every pool."""

from __future__ import annotations

import subprocess

import pytest

from deploy import balancer
from deploy.cli.context import Fail
from deploy.cli.run import federation_for
from deploy.federation import SCALABLE

POOLS = [balancer.Pool("reidentify", 18004, (18104, 18105)),
         balancer.Pool("gateway", 18000, (18100, 18101))]


@pytest.mark.parametrize("tls", [False, True])
def test_haproxy_accepts_the_configuration(tmp_path, tls):
    conf = tmp_path / "haproxy.cfg"
    conf.write_text(balancer.render(POOLS, tls=tls))
    checked = subprocess.run([balancer.binary(), "-c", "-f", str(conf)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = conf.read_text()
    assert "option httpchk GET /readyz" in text
    for pool in POOLS:
        assert f"bind 127.0.0.1:{pool.port}" in text
        for i, port in enumerate(pool.replicas, start=1):
            assert f"server {pool.service}-{i} 127.0.0.1:{port} check" in text
    assert ("retry-on conn-failure" in text) is not tls


def test_replicas_scale_every_slice_but_the_pseudonymiser(tmp_path):
    fed = federation_for(tmp_path, replicas=3, environ={})
    assert fed.instances("reidentify") == ["reidentify", "reidentify-2", "reidentify-3"]
    assert fed.instances("pseudonymiser") == ["pseudonymiser"]
    assert fed.instance_port("pseudonymiser") == fed.ports["pseudonymiser"]
    ports = {fed.instance_port(i) for s in SCALABLE for i in fed.instances(s)}
    assert len(ports) == 3 * len(SCALABLE)
    assert not ports & set(fed.ports.values())  # the usual ports are the balancer's
    with pytest.raises(Fail, match="at least 1"):
        federation_for(tmp_path, replicas=0, environ={})
