"""Evidence from the running federation: every service answers /v1/ops/compliance, and
`tessera compliance` gathers them into one report that names what falls short (here, a
development run: no HTTPS, the development issuer)."""

from __future__ import annotations

import json

import httpx

from deploy import cli


async def test_every_service_reports_how_it_runs(running):
    for service in ("gateway", "pseudonymiser", "linker", "scorer", "reidentify", "consent"):
        token = running.token(service, subject="auditor-1", roles=["auditor"])
        async with httpx.AsyncClient(timeout=30, verify=running.fed.verify) as c:
            r = await c.get(f"{running.url(service)}/v1/ops/compliance",
                            headers={"Authorization": f"Bearer {token}"})
            refused = await c.get(f"{running.url(service)}/v1/ops/compliance", headers={
                "Authorization": f"Bearer {running.token(service, roles=['caseworker'])}"})
        assert r.status_code == 200, (service, r.text)
        assert refused.status_code == 403
        answer = r.json()
        assert answer["service"] == service and answer["version"] == "0.1.0"
        assert answer["migration"]["up_to_date"] is True, answer["migration"]
        assert answer["migration"]["head"] == answer["migration"]["current"] is not None
        assert answer["https"] is False and answer["database"] == "sqlite"
        assert "auditor" in answer["mfa_roles"] and "caseworker" in answer["mfa_roles"]
        assert any("TLS_CERT_FILE" in r for r in answer["production_refusals"])
        assert answer["dead_letters"] is not None


def test_the_report_gathers_every_service_and_names_what_falls_short(running, capsys):
    fed = running.fed
    ports = [f"--port={s}={p}" for s, p in fed.ports.items()]
    status = cli.main(["--var", str(fed.layout.root), "compliance", *ports])
    report = json.loads(capsys.readouterr().out)
    assert status == 1  # a development run falls short of production
    assert set(report["services"]) == {"gateway", "pseudonymiser", "linker", "scorer",
                                       "reidentify", "consent"}
    assert "gateway: HTTPS is off" in report["findings"]
    assert not any("no answer" in f or "FAILED" in f for f in report["findings"])
