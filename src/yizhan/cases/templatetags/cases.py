from django import template

register = template.Library()


@register.simple_tag
def case_due(case, now):
    """The running deadline of a case in a list, and whether it has passed."""
    due = case.current_due_at
    return {"at": due, "late": due is not None and now > due}


@register.simple_tag(takes_context=True)
def case_text(context, case, text):
    """Free text of a case as the person looking at the page may read it (cases.presenters)."""
    from yizhan.cases.presenters import shown_text

    return shown_text(text, case, context["request"].user)
