"""Running the AWS CLI against the standalone server."""
import json
import os
import shutil
import subprocess

import pytest

requires_aws_cli = pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed")


def aws(server, *args, expect_success=True):
    """Run ``aws --endpoint-url <server> <args>``; the parsed JSON output (or the raw text)."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    result = subprocess.run(["aws", "--endpoint-url", server.url, "--output", "json", *args],
                            capture_output=True, text=True, env=env, timeout=120)
    if expect_success:
        assert result.returncode == 0, f"aws {' '.join(args)} failed: {result.stderr}"
        try:
            return json.loads(result.stdout) if result.stdout.strip() else None
        except json.JSONDecodeError:
            return result.stdout
    return result
