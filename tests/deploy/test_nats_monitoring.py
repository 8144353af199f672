"""NATS monitoring (an HTTP port without authentication that lists every connection's user
and subscriptions) is off unless `tessera run --nats-monitoring` asks for it, and then
listens on the loopback interface only."""

from __future__ import annotations

import json
import re

import httpx

from deploy import keys, natsconf, natsserver
from deploy.cli.run import federation_for, nats_lines
from deploy.federation import Federation
from deploy.layout import NATS_MONITOR_PORT, Layout
from deploy.natsserver import free_port


def http_listeners(conf: str) -> list[str]:
    return re.findall(r'^\s*(?:http|https|http_port|https_port|monitor_port)\s*[:=]\s*(.+)$',
                      conf, flags=re.MULTILINE)


def rendered(fed: Federation) -> str:
    fed.prepare()
    return fed.layout.nats_conf.read_text()


def run_args(tmp_path, *options: str):
    return {"var": tmp_path / "var", "nats_monitoring": "--nats-monitoring" in options}


def test_the_default_federation_has_no_monitoring_listener(tmp_path):
    fed = Federation(Layout(tmp_path / "var"))
    assert fed.nats_monitor_port is None
    assert http_listeners(rendered(fed)) == []


def test_tessera_run_without_the_option_has_none_and_says_so(tmp_path):
    fed = federation_for(**run_args(tmp_path))
    assert http_listeners(rendered(fed)) == []
    text = "\n".join(nats_lines(fed))
    assert "monitoring off" in text and "--nats-monitoring" in text
    assert str(NATS_MONITOR_PORT) not in text


def test_the_option_listens_on_loopback_only_and_warns(tmp_path):
    fed = federation_for(**run_args(tmp_path, "--nats-monitoring"))
    assert fed.nats_monitor_port == NATS_MONITOR_PORT
    assert http_listeners(rendered(fed)) == [f'"127.0.0.1:{NATS_MONITOR_PORT}"']
    text = "\n".join(nats_lines(fed))
    assert f"http://127.0.0.1:{NATS_MONITOR_PORT}" in text
    assert "no authentication" in text


def test_loopback_only_even_when_nats_listens_elsewhere(tmp_path):
    layout = Layout(tmp_path / "var")
    keys.ensure_keys(layout)
    conf = natsconf.render(port=4222, monitor_port=8222, store_dir=tmp_path / "js",
                           passwords=json.loads(layout.nats_passwords.read_text()),
                           host="0.0.0.0")
    assert http_listeners(conf) == ['"127.0.0.1:8222"']


def test_nats_server_serves_monitoring_on_loopback_when_asked(tmp_path):
    fed = Federation(Layout(tmp_path / "var"), nats_port=free_port(),
                     nats_monitor_port=free_port())
    fed.prepare()
    proc = natsserver.start(fed.layout.nats_conf, fed.nats_port)
    try:
        natsserver.wait_for_port("127.0.0.1", fed.nats_monitor_port)
        varz = httpx.get(f"http://127.0.0.1:{fed.nats_monitor_port}/varz", timeout=5).json()
        assert varz["http_host"] == "127.0.0.1"
        assert varz["http_port"] == fed.nats_monitor_port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
