from celery import shared_task

from backend.evaluations.transitions import mark_due


@shared_task(name="evaluations.mark_due", ignore_result=True)
def mark_evaluations_due() -> int:
    return mark_due()
