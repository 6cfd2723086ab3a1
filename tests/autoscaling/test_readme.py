"""The Application Auto Scaling example in README.md runs as written, as a downstream project's test."""
import re
from pathlib import Path


def test_readme_autoscaling_example_passes(pytester):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S)
                   if block.startswith("# test_autoscaling.py"))
    pytester.makepyfile(test_autoscaling=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
