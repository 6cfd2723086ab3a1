"""The error classes are the models' error shapes, with the models' statuses and members."""
import inspect
import json
from pathlib import Path

import pytest

from emulator.autoscaling import errors as autoscaling_errors
from emulator.ecs import errors as ecs_errors
from emulator.eks import errors as eks_errors

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("service, module, base", [("ecs", ecs_errors, ecs_errors.EcsError),
                                                   ("eks", eks_errors, eks_errors.EksError),
                                                   ("application-autoscaling", autoscaling_errors,
                                                    autoscaling_errors.AutoscalingError)])
def test_error_classes_match_the_model(service, module, base):
    modelled = json.loads((ROOT / "schemas" / service / "_service.json").read_text())["errors"]
    classes = {name: cls for name, cls in inspect.getmembers(module, inspect.isclass)
               if issubclass(cls, base) and cls is not base}
    assert set(classes) == set(modelled)
    for name, cls in classes.items():
        assert cls.code == name
        assert cls.status == modelled[name]["status"], name
        assert list(cls.fields) == modelled[name]["members"], name


def test_ecs_answers_400_for_every_error_but_the_server_fault():
    assert ecs_errors.ServerException.status == 500
    assert {ecs_errors.ClusterNotFoundException.status, ecs_errors.AccessDeniedException.status} == {400}


def test_unknown_context_member_is_a_programming_error():
    with pytest.raises(TypeError):
        eks_errors.ResourceNotFoundException("x", clusterNme="typo")
