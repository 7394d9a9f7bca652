from django import template

register = template.Library()


@register.simple_tag
def case_due(case, now):
    """The running deadline of a case in a list, and whether it has passed."""
    due = case.current_due_at
    return {"at": due, "late": due is not None and now > due}
