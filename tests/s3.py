"""A local S3-compatible server for the services pass: moto's standalone server on loopback.

``start()`` runs it in a thread of the calling process on a free port (each xdist worker
has its own) and creates the test bucket. Set ``TEST_S3_ENDPOINT_URL`` to use another
S3-compatible server instead (MinIO, ...); the bucket ``TEST_S3_BUCKET`` must exist there.
"""

from __future__ import annotations

import os
import socket

BUCKET = os.environ.get("TEST_S3_BUCKET", "agnost-tests")
ACCESS_KEY = "agnost-test"
SECRET_KEY = "agnost-test-secret"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> str:
    """The endpoint URL of a running S3 server with the test bucket."""
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL")
    if endpoint:
        return endpoint
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                 region_name=REGION).create_bucket(Bucket=BUCKET)
    return endpoint


def storage_options(endpoint: str) -> dict:
    """``OPTIONS`` of django-storages' S3 backend for the test server."""
    return {"bucket_name": BUCKET, "endpoint_url": endpoint, "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY, "region_name": REGION, "location": os.environ.get("PYTEST_XDIST_WORKER", "gw0")}
