"""News forms: fields only; every rule that refuses lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.news.models import Article, CommentReport, SensitiveWord


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.CharField(label=_("Category"), widget=forms.Select)
    district = forms.CharField(label=_("Published by"), required=False, widget=forms.Select)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=600, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Body"),
        max_length=60_000,
        widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}),
        help_text=_(
            "Markdown: ## heading, **bold**, - list, [link](https://…). Scripts and "
            "other HTML are removed. Do not type pinyin after words: readers switch it on."
        ),
    )
    cover = forms.ImageField(label=_("Cover photo"), required=False)
    comment_policy = forms.ChoiceField(label=_("Comments"), choices=Article.CommentPolicy.choices)
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: as soon as it is approved."),
    )

    def __init__(self, *args, categories=(), districts=(), city_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = [(c.code, c.label) for c in categories]
        options = [("", _("The city (city-wide)"))] if city_wide else []
        options += [(str(d.pk), d.name) for d in districts]
        self.fields["district"].widget.choices = options


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=400)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )
    nickname = forms.CharField(label=_("Nickname"), required=False, max_length=40)
    parent = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62
    )
    key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why?"), choices=CommentReport.Reason.choices)


class WordForm(forms.Form):
    word = forms.CharField(label=_("Word"), max_length=60)
    action = forms.ChoiceField(label=_("When found"), choices=SensitiveWord.Action.choices)
