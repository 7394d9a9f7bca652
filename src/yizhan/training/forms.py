"""Training and events: the forms of the worker pages and the organiser's console. They only
parse; every rule lives in services.py, whose errors come back beside the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.training import permissions as perms
from yizhan.training import selectors, services
from yizhan.training.models import Activity, Topic

DATETIME = {"type": "datetime-local"}
EVERY = [
    ("weekly", _("every week")),
    ("daily", _("every day")),
    ("fortnightly", _("every two weeks")),
    ("monthly", _("every month")),
]


def _choices_blank(choices, label="—"):
    return [("", label), *choices]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"))
    topic = forms.ChoiceField(
        label=_("Topic (courses)"), required=False, choices=_choices_blank(Topic.choices)
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    station = forms.ChoiceField(
        label=_("Station or centre"),
        required=False,
        widget=forms.Select(
            attrs={
                "hx-get": "heat/",
                "hx-target": "#heat",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        ),
    )
    venue = forms.CharField(label=_("Room or address (optional)"), required=False, max_length=200)
    online = forms.BooleanField(label=_("Online"), required=False)
    online_url = forms.CharField(
        label=_("Link for online sessions"), required=False, max_length=200
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M")
    )
    repeat = forms.IntegerField(label=_("Sessions (courses) or occurrences (events)"), initial=1)
    every = forms.ChoiceField(label=_("Repeats"), choices=EVERY, initial="weekly")
    capacity = forms.IntegerField(label=pgettext_lazy("training", "Places"), initial=30)
    signup_deadline = forms.DateTimeField(
        label=_("Sign-up deadline (empty: the start)"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
    )
    offer_hours = forms.IntegerField(label=_("Hours to accept a freed place"), initial=12)
    audience = forms.ChoiceField(label=_("For"), choices=Activity.Audience.choices)
    audience_platform = forms.ChoiceField(label=_("Platform"), required=False)
    audience_district = forms.ChoiceField(label=_("District"), required=False)
    invite_mobiles = forms.CharField(
        label=_("Invite workers (mobile numbers, one a line)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    walk_ins = forms.BooleanField(label=_("Walk-ins welcome"), required=False)
    certificate = forms.BooleanField(label=_("Certificate on completion"), required=False)
    min_attendance_percent = forms.IntegerField(
        label=_("Minimum attendance (%, 0: a check-in is enough)"),
        initial=0,
    )
    quiz = forms.CharField(
        label=_("Quiz (optional)"),
        required=False,
        max_length=5000,
        help_text=_("One question a line: question | choice | *right choice | choice"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    quiz_pass_percent = forms.IntegerField(label=_("Quiz pass mark (%)"), required=False)
    cites = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from yizhan.orgs import selectors as orgs
        from yizhan.places import selectors as places

        kinds = dict(Activity.Kind.choices)
        self.fields["kind"].choices = [(k, kinds[k]) for k in perms.kinds_for(user)]
        self.fields["station"].choices = _choices_blank(
            selectors.station_choices(user=user), _("— online —")
        )
        self.fields["audience_platform"].choices = _choices_blank(
            [(p.pk, p.name) for p in orgs.platforms()]
        )
        self.fields["audience_district"].choices = _choices_blank(
            [(d.pk, d.name) for d in places.districts()]
        )

    def clean_quiz(self) -> list[dict]:
        questions = []
        for n, line in enumerate(self.cleaned_data["quiz"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            text, options = parts[0], parts[1:]
            right = [i for i, o in enumerate(options) if o.startswith("*")]
            if len(options) < 2 or len(right) != 1 or not text:
                raise forms.ValidationError(
                    _("Line %(n)d: a question, two or more choices, exactly one marked with *.")
                    % {"n": n}
                )
            questions.append(
                {
                    "text": text,
                    "choices": [o.lstrip("*").strip() for o in options],
                    "answer": right[0],
                }
            )
        return questions

    def to_data(self, *, invite_ids=()) -> services.ActivityData:
        d = self.cleaned_data
        cites = None
        if d.get("cites") and ":" in d["cites"]:
            topic, _sep, district = d["cites"].partition(":")
            cites = {"topic": topic, "district_id": int(district) if district.isdigit() else None}
        return services.ActivityData(
            kind=d["kind"],
            title=d["title"],
            description=d["description"],
            topic=d["topic"],
            station_id=int(d["station"]) if d.get("station") else None,
            online=d["online"],
            online_url=d["online_url"].strip(),
            venue=d["venue"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            repeat=d["repeat"],
            every=d["every"],
            capacity=d["capacity"],
            signup_deadline=d.get("signup_deadline"),
            offer_hours=d["offer_hours"],
            audience=d["audience"],
            audience_platform_id=int(d["audience_platform"])
            if d.get("audience_platform")
            else None,
            audience_district_id=int(d["audience_district"])
            if d.get("audience_district")
            else None,
            walk_ins=d["walk_ins"],
            certificate=d["certificate"],
            min_attendance_percent=d["min_attendance_percent"],
            quiz=d["quiz"],
            quiz_pass_percent=d.get("quiz_pass_percent"),
            cites=cites,
            invite_worker_ids=list(invite_ids),
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


class InviteForm(forms.Form):
    mobiles = forms.CharField(
        label=_("Mobile numbers, one a line"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_mobiles(self):
        return [m.strip() for m in self.cleaned_data["mobiles"].splitlines() if m.strip()]


class DemandForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("The demand"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    worker = forms.ChoiceField(label=_("Raised by (someone who signed up)"), required=False)
    name = forms.CharField(label=_("Or: name (optional)"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile (optional)"), max_length=20, required=False)

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, c.name) for c in services.cases_categories()]
        self.fields["worker"].choices = _choices_blank(list(attendees), _("— not recorded —"))

    def clean_mobile(self):
        from yizhan.core.validators import validate_mobile

        value = self.cleaned_data["mobile"]
        return validate_mobile(value) if value.strip() else ""


class WishForm(forms.Form):
    topic = forms.ChoiceField(label=_("What would you like to learn?"), choices=Topic.choices)
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Scan or type the worker's code"),
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
