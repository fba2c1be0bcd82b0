"""The package works outside the checkout: a wheel built from the tree, installed into a fresh
virtual environment, serves and analyses with the shipped model from an empty folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

from processes import free_port

ROOT = Path(__file__).resolve().parents[1]
SPUN = ("WASHINGTON — Russia requested China to provide it army gear and help for the warfare in Ukraine after "
        "President Vladimir V. Putin started a full-scale invasion final month, in accordance with U.S. officers.")


def test_an_installed_wheel_serves_and_analyses_the_shipped_model(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                    str(ROOT)], check=True)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from this environment (a plain path: its editable Unspin is not seen);
    # Unspin itself only from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("unspin-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "UNSPIN_SERVER": "http://127.0.0.1:9", "UNSPIN_DATA_DIR": str(tmp_path / "data")}
    env.pop("UNSPIN_MODEL", None)
    where = subprocess.run([str(python), "-c", "import unspin, unspin.config as c; print(unspin.__file__); "
                            "print(c.SHIPPED_MODEL)"], cwd=empty, env=env, check=True, capture_output=True, text=True)
    package, model = where.stdout.split()
    assert package.startswith(str(env_dir)) and model.startswith(str(env_dir)), where.stdout

    analysed = subprocess.run([str(env_dir / "bin" / "unspin"), "analyze", "--json", "--local", "-"], input=SPUN,
                              cwd=empty, env=env, capture_output=True, text=True, timeout=300)
    assert analysed.returncode == 0, analysed.stderr
    answer = json.loads(analysed.stdout)
    assert answer["summary"]["spans"] >= 1

    # `unspin token` prints the secret the server reads (created by whichever comes first).
    token = subprocess.run([str(env_dir / "bin" / "unspin"), "token"], cwd=empty, env=env, capture_output=True,
                           text=True, timeout=60, check=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([str(env_dir / "bin" / "unspin"), "serve", "--port", str(port)], cwd=empty, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, health = time.monotonic() + 120, None
        while time.monotonic() < deadline and health is None:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/health",
                                                 headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    health = json.load(response)
            except OSError:
                assert server.poll() is None, "the server stopped"
                time.sleep(0.5)
        assert health and health["status"] == "ok" and health["model"]["name"] == "unspin-lm", health
    finally:
        server.terminate()
        server.wait(30)
