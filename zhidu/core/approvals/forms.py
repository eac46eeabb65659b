"""Forms of the approval pages: the decision, transfer, delegation, and the policy editor's parsing."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm
from zhidu.org.forms import PersonPickerField
from zhidu.org.models import Person

from .choices import Decision
from .registry import processes


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    choice = forms.CharField(label=_("Choice"), required=False, max_length=40)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    FIELD_FOR_CODE = {"opinion_required": "opinion", "choice_required": "choice", "invalid_choice": "choice",
                      "invalid_decision": "decision"}


class TransferForm(ZhiduForm):
    to_person = PersonPickerField(label=_("Transfer to"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DelegationForm(ZhiduForm):
    delegate = PersonPickerField(label=_("Stand-in"))
    start = forms.DateTimeField(label=_("Delegation starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                              format="%Y-%m-%dT%H:%M"))
    end = forms.DateTimeField(label=_("Delegation ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                            format="%Y-%m-%dT%H:%M"))
    process_keys = forms.MultipleChoiceField(label=_("Processes"), required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text=_("None ticked: every process."))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process_keys"].choices = [(p.key, p.label) for p in processes()]
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("start", now)
            self.initial.setdefault("end", now + datetime.timedelta(days=7))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end of a delegation must be after its start."))
        return data


# --------------------------------------------------------------------------- policy editor
STEP_FIELDS = ("key", "name", "resolver", "role", "context_key", "person", "mode", "deadline_hours",
               "opinion_required", "choices")
COND_FIELDS = ("field", "op", "value", "param")
_RULE_RE = re.compile(r"^r-(\d+)-name$")
_COND_RE = re.compile(r"^r-(\d+)-c-(\d+)-field$")
_STEP_RE = re.compile(r"^r-(\d+)-s-(\d+)-name$")


def parse_choices(text: str) -> list[dict]:
    """"purchase=Purchase; reallocate=Reallocate from stock" (or one per line) → [{value, label}]."""
    result = []
    for part in re.split(r"[;\n；]", text or ""):
        part = part.strip()
        if not part:
            continue
        value, _sep, label = part.partition("=")
        result.append({"value": value.strip(), "label": label.strip() or value.strip()})
    return result


def format_choices(choices) -> str:
    return "; ".join(f"{c.get('value')}={c.get('label')}" for c in choices or [])


def parse_editor(post) -> dict:
    """The definition typed into the editor (rows in the order of their indices).

    A named person is typed as an employee number; it is kept in the step as `_person_no` so the
    editor shows what was typed even when nobody has that number (validation reports it).
    """
    rule_ids = sorted({int(m.group(1)) for k in post for m in [_RULE_RE.match(k)] if m})
    rules = []
    for ri in rule_ids:
        cond_ids = sorted({int(m.group(2)) for k in post for m in [_COND_RE.match(k)] if m and int(m.group(1)) == ri})
        step_ids = sorted({int(m.group(2)) for k in post for m in [_STEP_RE.match(k)] if m and int(m.group(1)) == ri})
        rows = []
        for ci in cond_ids:
            row = {f: (post.get(f"r-{ri}-c-{ci}-{f}") or "").strip() for f in COND_FIELDS}
            clean = {"field": row["field"], "op": row["op"]}
            if row["param"]:
                clean["param"] = row["param"]
            if row["value"]:
                clean["value"] = row["value"]
            rows.append(clean)
        steps = []
        for si in step_ids:
            raw = {f: (post.get(f"r-{ri}-s-{si}-{f}") or "").strip() for f in STEP_FIELDS}
            person = None
            if raw["person"]:
                found = Person.objects.filter(employee_no=raw["person"]).values_list("pk", flat=True).first()
                person = found if found is not None else -1
            steps.append({
                "key": raw["key"], "name": raw["name"], "resolver": raw["resolver"], "role": raw["role"],
                "context_key": raw["context_key"], "person": person, "mode": raw["mode"] or "any",
                "deadline_hours": raw["deadline_hours"] or None,
                "opinion_required": post.get(f"r-{ri}-s-{si}-opinion_required") in ("on", "1", "true"),
                "choices": parse_choices(raw["choices"]), "_person_no": raw["person"],
            })
        match = post.get(f"r-{ri}-match") or "all"
        rules.append({"name": (post.get(f"r-{ri}-name") or "").strip(),
                      "condition": {"any" if match == "any" else "all": rows}, "steps": steps})
    return {"rules": rules}
