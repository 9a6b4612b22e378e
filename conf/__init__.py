"""Packaged YAML configs (``local.yaml``, recipes, cluster profiles)."""
