"""The entry file for ``spark-submit``, an EMR step, EMR Serverless and a Databricks ``spark_python_task``.

These launchers want a ``.py`` file, not a module name or console script, so this file is that file and
nothing more: it runs ``crawlforge <job> ...`` from the installed wheel (or the packed environment shipped
with ``--archives``). It imports nothing from the source tree, so it can be copied alone to S3 or DBFS::

    spark-submit --master spark://host:7077 [options] scripts/submit.py pipeline --config local \\
        --set lake.root=s3a://bucket/lake

The first argument is the job name (``crawlforge --help`` lists them); the rest are the job's own
arguments. The exit code is the job's (0 ok, 2 bad configuration, 3 the job failed): spark-submit in
client mode, EMR steps and Databricks tasks report a non-zero code as a failed step.
"""

import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from crawlforge.jobs.cli import main as cli_main
    except ImportError as exc:  # the wheel / packed environment is not on this Python
        print(
            f"crawlforge is not installed for {sys.executable} ({exc}). Ship the packed environment with "
            "--archives dist/crawlforge-env.tar.gz#environment and set spark.pyspark.python=./environment/bin/python "
            "(see the README, 'Running on a cluster'), or pip install the crawlforge wheel on every node.",
            file=sys.stderr,
        )
        return 2
    return int(cli_main(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
