"""Container health probe: GET a URL; any answer below 500 means the process is alive.

`greenbot run` answers `/healthz` and `/readyz` on its console port (200, or 503 when not
ready); a GET on the webhook path gets 405, which still proves the bot is serving.
Usage: `python /usr/local/bin/greenbot-healthcheck [URL]` (default `$HEALTHCHECK_URL`).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8080/healthz"


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEALTHCHECK_URL", DEFAULT_URL)
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        sys.stderr.write(f"unhealthy: {url}: {error}\n")
        return 1
    if status >= 500:
        sys.stderr.write(f"unhealthy: {url} answered {status}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
