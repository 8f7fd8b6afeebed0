"""Shell commands of the README that a reader types as written."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.interop.server import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def readme_line(start: str) -> str:
    (line,) = [line for line in README.splitlines() if line.startswith(start)]
    return line


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")
def test_node_dns_preload_works_as_written(tmp_path):
    command = readme_line("NODE_OPTIONS=")
    script = tmp_path / "your-script.mjs"
    script.write_text('import { lookup } from "node:dns/promises";\n'
                      'console.log((await lookup("realtime.agnost.app.localhost")).address);\n')
    result = subprocess.run(["bash", "-c", command.replace("your-script.mjs", str(script))],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("127.0.0.1", "::1")
