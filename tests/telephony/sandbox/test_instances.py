"""Further sandbox instances run beside the shared one: their own state, ports and spool;
the first instance's configuration is exactly what it was."""

from __future__ import annotations

from pathlib import Path

from callcenter.settings import load_settings
from callcenter.telephony.sandbox import config as asterisk_config
from callcenter.telephony.sandbox.process import STATE, Sandbox
from callcenter.telephony.sandbox.servers import sandbox_servers


def test_the_first_instance_is_configured_as_before(tmp_path: Path) -> None:
    settings = load_settings(storage_root=tmp_path)
    first = Sandbox(settings)
    config = first._config()
    assert (config.http_port, config.sip_port, config.sim_port) == (8088, 5060, 5070)
    assert (config.rtp_start, config.rtp_end, config.dirs.etc) == (10000, 19999, f"{STATE}/etc")
    assert first.pid_file.name == "asterisk.pid" and first.ari == settings.ari


def test_a_second_instance_has_its_own_state_ports_and_spool(tmp_path: Path) -> None:
    settings = load_settings(storage_root=tmp_path)
    second = Sandbox(settings, 2)
    config = second._config()
    assert second.ari.url == "http://127.0.0.1:8089"
    assert (config.http_port, config.sip_port, config.sim_port) == (8089, 5160, 5170)
    # its trunk reaches its own simulated applicants
    assert (config.trunk_contact, config.trunk_match) == ("sip:127.0.0.1:5170", "127.0.0.1:5170")
    assert (config.rtp_start, config.rtp_end) == (20000, 24999)
    assert config.dirs.spool == f"{STATE}-2/spool" and config.sim_sounds == f"{STATE}-2/sim"
    assert second.pid_file.name == "asterisk-2.pid"
    assert second.digest_file.name == "asterisk-2.config-digest"
    files = asterisk_config.render(config)
    assert "bind = 127.0.0.1:5160" in files["pjsip.conf"]
    assert "bindport = 8089" in files["http.conf"]
    third = Sandbox(settings, 3)._config()
    assert (third.rtp_start, third.rtp_end, third.sip_port) == (25000, 29999, 5260)


def test_the_instances_as_servers_of_a_set(tmp_path: Path) -> None:
    settings = load_settings(storage_root=tmp_path)
    one, two = sandbox_servers(settings, 2, max_concurrent=4)
    assert (one.name, one.ari.url, one.max_concurrent) == ("sandbox1", settings.ari.url, 4)
    assert one.recordings == settings.asterisk_recordings
    assert (two.name, two.ari.url) == ("sandbox2", "http://127.0.0.1:8089")
    assert two.recordings is not None and two.recordings.parts[-3:] == (
        "callcenter-2",
        "spool",
        "recording",
    )
