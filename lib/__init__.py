"""Pure-Python logic with no Spark imports: WARC reading, extraction, heuristics, hashing.

Everything here is tested on plain strings and bytes, without a JVM.
"""
