"""The logical ``signals`` row: the annotate job's ``signals`` table joined with the score jobs' family tables.

See :data:`crawlforge.jobs.tables.SIGNAL_FAMILIES`. A reader names the columns it needs; only the family
tables that hold one of them are read, each restricted to the scope before the join, and each joined on
the document key with a left join, so a document a score job has not reached yet has nulls there (and a
recipe rule on a null signal never fails; the select job reports missing families by count).
"""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import Column, DataFrame, SparkSession

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import SIGNAL_FAMILIES


KEYS = ("source", "snapshot", "doc_id", "file_id")
BASE_TABLE = "signals"


def family_columns(spark: SparkSession, root: str) -> dict[str, str]:
    """column -> family table, for every family table that exists in the lake (its stored schema)."""
    owner: dict[str, str] = {}
    for name in SIGNAL_FAMILIES:
        if not delta_io.table_exists(spark, root, name):
            continue
        for column in delta_io.read_table(spark, root, name).columns:
            if column not in KEYS and column != "run_id":
                owner.setdefault(column, name)
    return owner


def joined_signals(
    spark: SparkSession, root: str, base: DataFrame, needed: Iterable[str], scope: Column | None = None
) -> DataFrame:
    """``base`` (the signals table, already scoped) with every ``needed`` column that lives in a family table.

    Columns already in ``base`` are taken from it; a needed column found nowhere is left out (the caller's
    schema check reports it with the recipe rule that names it).
    """
    owner = family_columns(spark, root)
    wanted: dict[str, list[str]] = {}
    for column in dict.fromkeys(needed):
        if column in base.columns or column not in owner:
            continue
        wanted.setdefault(owner[column], []).append(column)
    out = base
    for table, columns in sorted(wanted.items()):
        family = delta_io.read_table(spark, root, table)
        if scope is not None:
            family = family.where(scope)
        out = out.join(family.select(*KEYS, *columns), list(KEYS), "left")
    return out
