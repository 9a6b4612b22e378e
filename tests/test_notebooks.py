"""Every notebook in notebooks/ runs top to bottom against a small sample lake (nbclient + ipykernel).

The lake is built here with the test session (ingest -> extract -> annotate -> select on a 40-page generated
crawl); the notebook gets its path through the ``LAKE`` environment variable and starts its own local Spark.
Beyond "no cell raised", the outputs are checked against the lake: the funnel names the stages and the kept
count equals the decisions table's, and the plots were drawn.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyspark.sql import SparkSession


REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def sample_lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crawlforge.jobs import annotate, extract, ingest, select
    from tests.helpers import make_config

    lake = tmp_path_factory.mktemp("nb") / "lake"
    cfg = make_config(str(lake), sample__pages=40, sample__files=2)
    for job in (ingest, extract, annotate, select):
        job.run(spark, cfg)
    return lake


def _text(outputs: list[dict]) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.spark
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes_against_the_sample_lake(path: Path, sample_lake: Path, spark: SparkSession) -> None:
    import nbformat
    from nbclient import NotebookClient

    from crawlforge.jobs import delta_io

    nb = nbformat.read(path, as_version=4)
    env = {"LAKE": str(sample_lake), "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", "")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update({k: v for k, v in env.items() if v})
    try:
        # The kernel inherits this process's environment (LAKE) and runs with the notebook's folder as cwd.
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    text = "\n".join(_text(c.get("outputs", [])) for c in code)
    if path.name == "explore_lake.ipynb":
        decisions = delta_io.read_table(spark, str(sample_lake), "decisions")
        total, kept = decisions.count(), decisions.where("keep").count()
        assert f"{total} documents, {kept} kept" in text
        for stage in ("ingest", "extract", "select"):
            assert stage in text, stage
        images = [o for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert len(images) >= 3, "the funnel, drop-reason and language plots"
