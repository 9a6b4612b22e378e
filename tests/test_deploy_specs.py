"""Deployment specs (Databricks bundle, EMR steps, EMR Serverless job, docker, README lines) are well formed
and name only things that exist: jobs in ``crawlforge.jobs.cli.JOBS``, entry points of pyproject, config keys
``build_config`` accepts, files in the repository.

The expected shapes are written here as JSON Schema, from the documented APIs: Databricks Jobs API 2.1
(``tasks``, ``python_wheel_task``, ``job_clusters``, ``schedule``, ``parameters``), EMR ``AddJobFlowSteps``
(``StepConfig``: Name, ActionOnFailure, HadoopJarStep{Jar, Args}) and EMR Serverless ``StartJobRun``
(applicationId, executionRoleArn, jobDriver.sparkSubmit{entryPoint, entryPointArguments,
sparkSubmitParameters}, configurationOverrides).
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from crawlforge.jobs.cli import JOBS, build_parser
from crawlforge.lib.config import build_config


REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "conf" / "databricks" / "databricks.yml"
STEPS = REPO / "conf" / "emr" / "steps.json"
SERVERLESS = REPO / "conf" / "emr" / "serverless-job.json"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())

_STR_LIST = {"type": "array", "items": {"type": "string"}}

BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["bundle", "resources", "targets"],
    "properties": {
        "bundle": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "variables": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["default"],
                "properties": {"description": {"type": "string"}, "default": {}},
                "additionalProperties": False,
            },
        },
        "artifacts": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["type", "path"],
                "properties": {"type": {"const": "whl"}, "path": {"type": "string"}, "build": {"type": "string"}},
            },
        },
        "resources": {
            "type": "object",
            "required": ["jobs"],
            "properties": {"jobs": {"type": "object", "additionalProperties": {"$ref": "#/$defs/job"}}},
        },
        "targets": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"mode": {"enum": ["development", "production"]}, "default": {"type": "boolean"}},
            },
        },
    },
    "$defs": {
        "job": {
            "type": "object",
            "required": ["name", "tasks", "job_clusters", "schedule", "parameters"],
            "properties": {
                "name": {"type": "string"},
                "max_concurrent_runs": {"type": "integer", "minimum": 1},
                "schedule": {
                    "type": "object",
                    "required": ["quartz_cron_expression", "timezone_id"],
                    "properties": {
                        "quartz_cron_expression": {"type": "string"},
                        "timezone_id": {"type": "string"},
                        "pause_status": {"enum": ["PAUSED", "UNPAUSED"]},
                    },
                    "additionalProperties": False,
                },
                "parameters": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "default"],
                        "properties": {"name": {"type": "string"}, "default": {"type": "string"}},
                        "additionalProperties": False,
                    },
                },
                "job_clusters": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["job_cluster_key", "new_cluster"],
                        "properties": {
                            "job_cluster_key": {"type": "string"},
                            "new_cluster": {
                                "type": "object",
                                "required": ["spark_version", "node_type_id"],
                                "properties": {
                                    "spark_version": {"type": "string"},
                                    "node_type_id": {"type": "string"},
                                    "num_workers": {"type": ["integer", "string"]},
                                    "data_security_mode": {"enum": ["SINGLE_USER", "USER_ISOLATION", "NONE"]},
                                    "spark_conf": {"type": "object", "additionalProperties": {"type": "string"}},
                                    "spark_env_vars": {"type": "object", "additionalProperties": {"type": "string"}},
                                },
                            },
                        },
                    },
                },
                "tasks": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["task_key", "python_wheel_task", "job_cluster_key"],
                        "properties": {
                            "task_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"},
                            "job_cluster_key": {"type": "string"},
                            "depends_on": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["task_key"],
                                    "properties": {"task_key": {"type": "string"}},
                                    "additionalProperties": False,
                                },
                            },
                            "python_wheel_task": {
                                "type": "object",
                                "required": ["package_name", "entry_point"],
                                "properties": {
                                    "package_name": {"type": "string"},
                                    "entry_point": {"type": "string"},
                                    "parameters": _STR_LIST,
                                    "named_parameters": {"type": "object"},
                                },
                                "additionalProperties": False,
                                # the Jobs API accepts one or the other, never both
                                "not": {"required": ["parameters", "named_parameters"]},
                            },
                            "libraries": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "minProperties": 1,
                                    "maxProperties": 1,
                                    "properties": {
                                        "whl": {"type": "string"},
                                        "pypi": {
                                            "type": "object",
                                            "required": ["package"],
                                            "properties": {"package": {"type": "string"}},
                                        },
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                },
            },
        }
    },
}

EMR_STEPS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["Name", "HadoopJarStep"],
        "properties": {
            "Name": {"type": "string", "maxLength": 256},
            "ActionOnFailure": {"enum": ["TERMINATE_JOB_FLOW", "TERMINATE_CLUSTER", "CANCEL_AND_WAIT", "CONTINUE"]},
            "HadoopJarStep": {
                "type": "object",
                "required": ["Jar"],
                "properties": {
                    "Jar": {"type": "string"},
                    "MainClass": {"type": "string"},
                    "Args": _STR_LIST,
                    "Properties": {"type": "array"},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
}

# StartJobRun executionRoleArn pattern (EMR Serverless API reference)
ROLE_ARN = r"^arn:(aws[a-zA-Z0-9-]*):iam::(\d{12})?:(role((\u002F)|(\u002F[\u0021-\u007F]+\u002F))[\w+=,.@-]+)$"

SERVERLESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["applicationId", "executionRoleArn", "jobDriver"],
    "properties": {
        "applicationId": {"type": "string", "pattern": "^[0-9a-z]+$", "minLength": 1, "maxLength": 64},
        "executionRoleArn": {"type": "string", "pattern": ROLE_ARN},
        "name": {"type": "string", "maxLength": 256},
        "clientToken": {"type": "string"},
        "executionTimeoutMinutes": {"type": "integer", "minimum": 0, "maximum": 1000000},
        "tags": {"type": "object", "additionalProperties": {"type": "string"}},
        "mode": {"enum": ["BATCH", "STREAMING"]},
        "jobDriver": {
            "type": "object",
            "properties": {
                "sparkSubmit": {
                    "type": "object",
                    "required": ["entryPoint"],
                    "properties": {
                        "entryPoint": {"type": "string", "minLength": 1},
                        "entryPointArguments": _STR_LIST,
                        "sparkSubmitParameters": {"type": "string", "maxLength": 102400},
                    },
                    "additionalProperties": False,
                },
                "hive": {"type": "object"},
            },
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
        },
        "configurationOverrides": {
            "type": "object",
            "properties": {
                "applicationConfiguration": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["classification"],
                        "properties": {
                            "classification": {"type": "string"},
                            "properties": {"type": "object", "additionalProperties": {"type": "string"}},
                            "configurations": {"type": "array"},
                        },
                        "additionalProperties": False,
                    },
                },
                "monitoringConfiguration": {"type": "object"},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

# spark-submit options that take a value (spark-submit --help, Spark 4.0); the rest are flags.
SUBMIT_VALUE_OPTIONS = {
    "--master", "--deploy-mode", "--class", "--name", "--jars", "--packages", "--exclude-packages",
    "--repositories", "--py-files", "--files", "--archives", "--conf", "-c", "--properties-file",
    "--driver-memory", "--driver-java-options", "--driver-library-path", "--driver-class-path",
    "--executor-memory", "--proxy-user", "--driver-cores", "--total-executor-cores", "--executor-cores",
    "--num-executors", "--principal", "--keytab", "--queue",
}  # fmt: skip
SUBMIT_FLAGS = {"--verbose", "-v", "--supervise"}


def split_submit(args: list[str]) -> tuple[dict[str, list[str]], str, list[str]]:
    """spark-submit arguments -> ({option: values}, application file, application arguments)."""
    options: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in SUBMIT_FLAGS:
            options.setdefault(arg, []).append("")
            i += 1
        elif arg in SUBMIT_VALUE_OPTIONS:
            assert i + 1 < len(args), f"{arg} has no value"
            options.setdefault(arg, []).append(args[i + 1])
            i += 2
        elif arg.startswith("-"):
            raise AssertionError(f"unknown spark-submit option {arg!r}")
        else:
            return options, arg, args[i + 1 :]
    raise AssertionError(f"no application file in {args}")


def confs(options: dict[str, list[str]]) -> dict[str, str]:
    out = {}
    for item in options.get("--conf", []) + options.get("-c", []):
        assert "=" in item, f"--conf {item!r} is not key=value"
        key, value = item.split("=", 1)
        out[key] = value
    return out


def check_job_arguments(app_args: list[str]) -> str:
    """The arguments after the entry file: a known job whose parser and config accept them."""
    assert app_args, "no job name after the entry file"
    job = app_args[0]
    assert job in JOBS, f"unknown job {job!r}; known: {sorted(JOBS)}"
    parser = build_parser(job, JOBS[job][1], JOBS[job][2])
    parsed = parser.parse_args(app_args[1:])
    cfg = build_config(parsed.config, parsed.overrides)  # raises ConfigError on an unknown key or bad value
    for item in parsed.overrides:
        section = item.split(".", 1)[0]
        assert section in JOBS[job][2] or section in ("lake", "spark", "run"), (job, item)
    assert cfg.lake.root
    return job


def check_entry_file(path: str) -> None:
    """Deployment specs upload scripts/submit.py under its own name; it must exist and be the launcher."""
    name = path.rsplit("/", 1)[-1]
    assert (REPO / "scripts" / name).is_file(), f"entry file {path}: scripts/{name} does not exist"
    assert name == "submit.py"


# --------------------------------------------------------------------------------------------------
# Databricks


def _substitute(value: str, variables: dict[str, Any], params: dict[str, str]) -> str:
    def var(m: re.Match[str]) -> str:
        assert m.group(1) in variables, f"undeclared variable {m.group(1)}"
        return str(variables[m.group(1)]["default"])

    def param(m: re.Match[str]) -> str:
        assert m.group(1) in params, f"undeclared job parameter {m.group(1)}"
        return params[m.group(1)]

    value = re.sub(r"\$\{var\.([A-Za-z0-9_]+)\}", var, value)
    return re.sub(r"\{\{\s*job\.parameters\.([A-Za-z0-9_]+)\s*\}\}", param, value)


def test_databricks_bundle_structure_and_references() -> None:
    bundle = yaml.safe_load(BUNDLE.read_text())
    jsonschema.validate(bundle, BUNDLE_SCHEMA)
    variables = bundle.get("variables", {})
    for art in bundle["artifacts"].values():
        assert ((BUNDLE.parent / art["path"]).resolve() / "pyproject.toml").is_file()
    scripts = PYPROJECT["project"]["scripts"]
    jobs = bundle["resources"]["jobs"]
    assert jobs
    for job in jobs.values():
        params = {p["name"]: _substitute(p["default"], variables, {}) for p in job["parameters"]}
        cron = job["schedule"]["quartz_cron_expression"].split()
        assert len(cron) in (6, 7), "Quartz cron: seconds minutes hours day-of-month month day-of-week [year]"
        assert "?" in (cron[3], cron[5]), "Quartz cron needs '?' in day-of-month or day-of-week"
        clusters = {c["job_cluster_key"]: c["new_cluster"] for c in job["job_clusters"]}
        for c in clusters.values():
            version = _substitute(c["spark_version"], variables, {})
            # Databricks Runtime 17.x is Spark 4.0 (what the suite pins), Scala 2.13 only
            assert re.fullmatch(r"17\.\d+\.x-scala2\.13", version), version
        keys = [t["task_key"] for t in job["tasks"]]
        assert len(set(keys)) == len(keys)
        seen: set[str] = set()
        stages = []
        for task in job["tasks"]:  # listed in dependency order: each depends only on earlier tasks
            deps = {d["task_key"] for d in task.get("depends_on", [])}
            assert deps <= seen, f"{task['task_key']} depends on {deps - seen}, not an earlier task"
            assert seen == set() or deps, f"{task['task_key']} has no dependency"
            seen.add(task["task_key"])
            assert task["job_cluster_key"] in clusters
            wt = task["python_wheel_task"]
            assert wt["package_name"] == PYPROJECT["project"]["name"]
            assert wt["entry_point"] in scripts, f"entry point {wt['entry_point']} not in [project.scripts]"
            module, func = scripts[wt["entry_point"]].split(":")
            assert callable(getattr(importlib.import_module(module), func))
            args = [_substitute(p, variables, params) for p in wt["parameters"]]
            stages.append(check_job_arguments(args))
            assert "spark.delta_jars=provided" in args, "Databricks provides Delta"
            whls = [lib["whl"] for lib in task.get("libraries", []) if "whl" in lib]
            assert whls, f"{task['task_key']} attaches no wheel"
            for whl in whls:
                assert (BUNDLE.parent / whl).resolve().parent == REPO / "dist", whl  # where scripts/package.py writes
        assert stages[0] == "ingest" and "select" in stages
        assert_pipeline_order(stages)


def assert_pipeline_order(stages: list[str]) -> None:
    """Stages run in the pipeline's order (dedup reads select's decisions; publish reads dedup's clusters)."""
    from crawlforge.lib.config import PIPELINE_STAGES

    known = [s for s in stages if s in PIPELINE_STAGES]
    assert known == sorted(known, key=PIPELINE_STAGES.index), f"stages out of pipeline order: {stages}"


def test_bundle_schema_rejects_a_broken_task() -> None:
    """The schema is not vacuous: both argv and named parameters, or a missing entry point, fail."""
    bundle = yaml.safe_load(BUNDLE.read_text())
    job = next(iter(bundle["resources"]["jobs"].values()))
    job["tasks"][0]["python_wheel_task"]["named_parameters"] = {"x": "1"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bundle, BUNDLE_SCHEMA)
    del job["tasks"][0]["python_wheel_task"]["named_parameters"]
    del job["tasks"][0]["python_wheel_task"]["entry_point"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bundle, BUNDLE_SCHEMA)


def test_job_argument_check_rejects_unknown_jobs_and_keys() -> None:
    from crawlforge.lib.config import ConfigError

    with pytest.raises(AssertionError, match="unknown job"):
        check_job_arguments(["ingestt", "--config", "cluster"])
    with pytest.raises(ConfigError, match="unknown config key"):
        check_job_arguments(["ingest", "--config", "cluster", "--set", "ingest.input.snapshotid=X"])


# --------------------------------------------------------------------------------------------------
# EMR


def test_emr_steps_structure_and_references() -> None:
    steps = json.loads(STEPS.read_text())
    jsonschema.validate(steps, EMR_STEPS_SCHEMA)
    stages = []
    for step in steps:
        hjs = step["HadoopJarStep"]
        assert hjs["Jar"] == "command-runner.jar"
        assert hjs["Args"][0] == "spark-submit"
        options, app, app_args = split_submit(hjs["Args"][1:])
        check_entry_file(app)
        stages.append(check_job_arguments(app_args))
        conf = confs(options)
        archives = options["--archives"][0]
        assert archives.endswith("#environment"), "the packed env is unpacked as ./environment"
        assert conf["spark.yarn.appMasterEnv.PYSPARK_PYTHON"] == "./environment/bin/python"
        assert conf["spark.executorEnv.PYSPARK_PYTHON"] == "./environment/bin/python"
        assert conf["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
        assert all(j.startswith("/usr/share/aws/delta/lib/") for j in options["--jars"][0].split(","))
        assert "--packages" not in options, "EMR ships Delta; do not pull OSS jars"
    assert stages[0] == "ingest"
    assert_pipeline_order(stages)


def test_emr_serverless_job_structure_and_references() -> None:
    job = json.loads(SERVERLESS.read_text())
    jsonschema.validate(job, SERVERLESS_SCHEMA)
    submit = job["jobDriver"]["sparkSubmit"]
    check_entry_file(submit["entryPoint"])
    check_job_arguments(submit["entryPointArguments"])
    options, app, rest = split_submit([*shlex.split(submit["sparkSubmitParameters"]), "app.py"])
    assert app == "app.py" and not rest
    conf = confs(options)
    assert conf["spark.archives"].endswith("#environment")
    for key in (
        "spark.emr-serverless.driverEnv.PYSPARK_PYTHON",
        "spark.emr-serverless.executorEnv.PYSPARK_PYTHON",
    ):
        assert conf[key] == "./environment/bin/python"
    assert "spark.jars.packages" not in conf, "spark.jars.packages does not work on EMR Serverless"
    assert conf["spark.sql.catalog.spark_catalog"] == "org.apache.spark.sql.delta.catalog.DeltaCatalog"


def test_emr_schema_rejects_a_bad_action() -> None:
    steps = json.loads(STEPS.read_text())
    steps[0]["ActionOnFailure"] = "RETRY"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(steps, EMR_STEPS_SCHEMA)


# --------------------------------------------------------------------------------------------------
# README and the launchers


def _readme_submit_commands() -> list[list[str]]:
    text = (REPO / "README.md").read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for raw in joined.splitlines():
            line = raw.strip()
            if line.startswith("spark-submit ") and "scripts/submit.py" in line:
                commands.append(shlex.split(line)[1:])
    return commands


def test_readme_has_one_valid_spark_submit_line_per_stage() -> None:
    commands = _readme_submit_commands()
    jobs = []
    for args in commands:
        options, app, app_args = split_submit(args)
        check_entry_file(app)
        jobs.append(check_job_arguments([a.replace("$LAKE", "s3a://bucket/lake") for a in app_args]))
        for path in options.get("--properties-file", []):
            assert (REPO / path).is_file(), path
    for stage in ("ingest", "extract", "annotate", "select", "pipeline"):
        assert stage in jobs, f"README has no spark-submit line for {stage}"


def test_launchers_exist_and_run_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    from crawlforge.launch import main as task_main

    with pytest.raises(SystemExit) as info:
        task_main(["no-such-job"])
    assert info.value.code == 2
    assert task_main(["--help"]) is None
    ns = runpy.run_path(str(REPO / "scripts" / "submit.py"))
    assert ns["main"](["--help"]) == 0
    assert ns["main"](["no-such-job"]) == 2
    out = capsys.readouterr()
    assert "pipeline" in out.out and "unknown job 'no-such-job'" in out.err


# --------------------------------------------------------------------------------------------------
# docker


def test_docker_files_reference_what_exists() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            parts = [p for p in line.split()[1:] if not p.startswith("--")]
            for src in parts[:-1]:
                assert (REPO / src).exists(), f"Dockerfile copies {src}, which does not exist"
        if line.startswith("RUN python scripts/"):
            assert (REPO / line.split()[2]).is_file(), line
    compose = yaml.safe_load((REPO / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"spark-master", "spark-worker-1", "spark-worker-2", "submit"} <= set(services)
    for svc in services.values():
        build = svc.get("build")
        if build:
            assert (REPO / "docker" / build["context"] / build["dockerfile"]).resolve().is_file()
    classes = [" ".join(map(str, s.get("command", []))) for s in services.values()]
    assert any("org.apache.spark.deploy.master.Master" in c for c in classes)
    assert sum("org.apache.spark.deploy.worker.Worker" in c for c in classes) == 2
    submit = [str(a) for a in services["submit"]["command"]]
    assert submit[0] == "spark-submit"
    options, app, app_args = split_submit(submit[1:])
    assert app.endswith("scripts/submit.py")
    assert options["--master"] == ["spark://spark-master:7077"]
    check_job_arguments(app_args)
    for svc in services.values():
        for vol in svc.get("volumes", []):
            host = vol.split(":", 1)[0]
            if host.startswith("."):
                assert (REPO / "docker" / host).resolve().exists() or host.endswith("lake"), vol
