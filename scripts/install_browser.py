"""Install headless Chromium and its WebDriver (Debian ``chromium`` + ``chromium-driver``) for the report test.

Idempotent: does nothing when ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` exist. Otherwise runs
``apt-get install -y chromium chromium-driver`` (``apt-get update`` first), as root or through ``sudo -n``.
Without root or apt it prints what to run and exits 0, so ``make setup`` still succeeds; the browser test then
skips with that message. The browser is used only by ``tests/jobs/test_report.py`` (selenium, dev extra).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
PACKAGES = ("chromium", "chromium-driver")


def main() -> int:
    if os.path.exists(CHROMIUM) and os.path.exists(DRIVER):
        print(f"install_browser: {CHROMIUM} and {DRIVER} present")
        return 0
    if shutil.which("apt-get") is None:
        print(f"install_browser: no apt-get; install {' and '.join(PACKAGES)} by hand for the report browser test")
        return 0
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            print(f"install_browser: not root; run: sudo apt-get install -y {' '.join(PACKAGES)}")
            return 0
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run([*prefix, "apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(
            [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES], check=True, env=env
        )
    except subprocess.CalledProcessError as exc:
        print(f"install_browser: apt-get failed ({exc}); the report browser test will skip", file=sys.stderr)
        return 0
    print(f"install_browser: installed {' '.join(PACKAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
