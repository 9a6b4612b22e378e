"""Small helpers shared by tests."""

from __future__ import annotations

from typing import Any

from crawlforge.lib.config import CrawlforgeConfig, build_config


def make_config(lake: str, **sets: Any) -> CrawlforgeConfig:
    """conf/local.yaml with the lake at ``lake`` and dotted overrides given as keyword pairs."""
    overrides = [f"lake.root={lake}", "spark.shuffle_partitions=2"]
    overrides += [f"{k.replace('__', '.')}={v}" for k, v in sets.items()]
    return build_config(["local"], overrides)
