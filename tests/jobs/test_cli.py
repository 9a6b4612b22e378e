"""The command line and the config layer, without starting Spark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawlforge.jobs.cli import EXIT_CONFIG, EXIT_OK, JOBS, main
from crawlforge.lib.config import ConfigError, build_config, describe_options


REPO = Path(__file__).resolve().parents[2]


def test_every_job_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    for job, (_, _, sections) in JOBS.items():
        with pytest.raises(SystemExit) as exit_info:
            main([job, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        for flag in ("--config", "--set", "--dry-run"):
            assert flag in out, (job, flag)
        for key, _, _ in describe_options():
            if key.split(".", 1)[0] in sections:
                assert key in out, (job, key)


def test_unknown_key_is_a_clear_error_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--config", "local", "--set", "ingest.file_per_batch=3", "--dry-run"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "unknown config key 'ingest.file_per_batch'" in err


def test_bad_value_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"config key 'ingest.files_per_batch'"):
        build_config(["local"], ["ingest.files_per_batch=-1"])
    with pytest.raises(ConfigError, match=r"config key 'ingest.input.kind'"):
        build_config([], ["ingest.input.kind=ftp"])


def test_unknown_key_in_a_yaml_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lake:\n  root: /x\n  rooot: /y\n")
    with pytest.raises(ConfigError, match=r"unknown config key 'lake\.rooot'"):
        build_config([str(bad)])


def test_overrides_merge_in_order_and_are_typed(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("ingest:\n  files_per_batch: 5\n  keep_status: [200, 203]\n")
    cfg = build_config(["local", str(extra)], ["ingest.files_per_batch=7", "ingest.resync=false"])
    assert cfg.ingest.files_per_batch == 7
    assert cfg.ingest.keep_status == [200, 203]
    assert cfg.ingest.resync is False
    assert cfg.lake.root == "./lake"
    same = build_config(["local", str(extra)], ["ingest.files_per_batch=7", "ingest.resync=false"])
    assert cfg.config_hash() == same.config_hash()
    assert cfg.config_hash() != build_config(["local"]).config_hash()


def test_dry_run_prints_config_and_plan_without_spark(tmp_path: Path, shared_data: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawlforge",
            "ingest",
            "--config",
            "conf/local.yaml",
            "--set",
            f"lake.root={tmp_path}",
            "--set",
            "ingest.input.kind=glob",
            "--set",
            f"ingest.input.glob={shared_data}/warc/cc/*.gz",
            "--set",
            "ingest.snapshot=X",
            "--dry-run",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "resolved configuration" in proc.stdout
    assert "kind: glob" in proc.stdout
    assert "# input plan: 7 file(s) -> source=common-crawl snapshot=X" in proc.stdout
    assert "whirlwind.CC-MAIN-2024-22.warc.gz" in proc.stdout
    assert not (tmp_path / "raw").exists()  # nothing was written
    assert "SparkSession" not in proc.stderr


def test_unknown_job_and_no_job() -> None:
    assert main(["nope"]) == EXIT_CONFIG
    assert main([]) == EXIT_CONFIG
    assert main(["--help"]) == EXIT_OK


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "crawlforge"
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0 and "ingest" in proc.stdout


def test_table_paths_of_relative_and_remote_lakes() -> None:
    from crawlforge.jobs.delta_io import table_path

    assert table_path("./lake", "raw") == str(Path.cwd() / "lake" / "raw")
    assert table_path("s3://bucket/lake/", "raw") == "s3://bucket/lake/raw"
    assert table_path("dbfs:/mnt/lake", "raw") == "dbfs:/mnt/lake/raw"
    assert table_path("/abs/lake", "raw") == "/abs/lake/raw"
