"""``agnost.task(name)``: run a task now and read the status of its runs.

    r = agnost.task("nightly-report").run()          # runs now, even when its schedule is off
    agnost.task("nightly-report").get_task_status(r.data["taskId"])
"""

from __future__ import annotations

from typing import Any

from agnost_django.core.result import FailedAccessor, returns_result
from agnost_django.schedules import services
from agnost_django.schedules.exceptions import TaskNotFound
from agnost_django.schedules.models import TaskRun


class TaskManager:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<TaskManager {self.name!r}>"

    @returns_result
    def run(self) -> dict[str, Any]:
        return services.info_json(services.trigger(self.name, by=TaskRun.Trigger.SERVER))

    run_once = run

    @returns_result
    def get_task_status(self, task_id: Any) -> dict[str, Any] | None:
        return services.info_json(services.run_info(task_id))


def get_manager(name: str) -> TaskManager | FailedAccessor:
    try:
        services.get_task(name)
    except TaskNotFound as exc:
        return FailedAccessor.for_exception(exc)
    return TaskManager(name)
