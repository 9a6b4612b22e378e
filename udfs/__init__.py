"""Thin ``pandas_udf`` wrappers over ``crawlforge.lib``; heavy models load once per Python worker."""
