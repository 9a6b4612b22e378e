"""Resolve Delta's jars once into the project's Ivy cache (part of `make setup`).

Starting one local session with crawlforge's session helper makes Spark's Ivy fetch io.delta
from Maven Central (or find it in ~/.m2) into $CRAWLFORGE_IVY_DIR; every later session resolves
from that cache without the network. If Ivy cannot reach Maven Central, fill ~/.m2 first with
`mvn dependency:get -Dartifact=io.delta:delta-spark_2.13:<version>`: Ivy looks there first.
"""

import sys

from crawlforge.jobs.spark_session import build_local_session
from crawlforge.lib.config import SparkConfig


def main() -> int:
    spark = build_local_session(SparkConfig(master="local[1]", delta_jars="pip"), "crawlforge-warm-jars")
    try:
        spark.range(1).count()
        print("Delta jars ready:", spark.conf.get("spark.jars", "") or "(from the classpath)")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
