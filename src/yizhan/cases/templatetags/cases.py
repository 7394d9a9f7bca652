from django import template

register = template.Library()


@register.simple_tag
def case_due(case, now):
    """The running deadline of a case in a list, and whether it has passed."""
    due = case.current_due_at
    return {"at": due, "late": due is not None and now > due}


@register.simple_tag
def quick_select(field):
    """A filter's <select>, built in Python: Django's widget templates render a template per
    option, which on the queue cost more than its 25 rows (docs/BENCHMARKS.md)."""
    from django.forms.utils import flatatt
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    attrs = {**field.field.widget.attrs, "name": field.html_name}
    if field.auto_id:
        attrs["id"] = field.auto_id
    current = field.value()
    current = "" if current is None else str(current)
    selected = mark_safe(" selected")
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(value), selected if str(value) == current else "", label)
            for value, label in field.field.choices
        ),
    )
    return format_html("<select{}>{}</select>", flatatt(attrs), options)
