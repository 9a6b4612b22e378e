"""One module per job, each with ``main(argv) -> int`` and ``run(spark, cfg)``."""
