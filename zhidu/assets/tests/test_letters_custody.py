"""The 《设备管理责任书》: template, frozen text, signature and scan validation (AST-03)."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhidu.assets import services
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import LetterTemplate, ResponsibilityLetter
from zhidu.core.errors import Conflict, RuleViolation

from .test_custody_support import World, png_bytes, png_data_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def test_default_template_seeded_from_article_10(world):
    template = services.active_template()
    assert "篇1 第十条" in template.body and "{{ items }}" in template.body and "双倍" in template.body
    assert services.active_template() == template


def test_letter_text_frozen_after_template_edit(world):
    asset = world.asset()
    issue = services.issue_assets(person=world.alice.person, assets=[asset], actor=world.it)
    template = services.active_template()
    services.save_template(actor=world.it, template=template, body="旧版：{{ person }} {{ items }}")
    assert services.render_letter(issue.letter).startswith("旧版：李丽")  # unsigned letters follow the template
    services.sign_letter(letter=issue.letter, actor=world.alice, typed_name="李丽", signature=png_data_url())
    services.save_template(actor=world.it, template=template, body="新版：{{ person }} {{ department }}")
    letter = ResponsibilityLetter.objects.get(pk=issue.letter.pk)
    assert letter.text.startswith("旧版：李丽") and asset.number in letter.text
    assert services.render_letter(letter) == letter.text
    assert "新版" not in letter.text


def test_template_syntax_checked(world):
    with pytest.raises(RuleViolation):
        services.save_template(actor=world.it, body="{% if %}")
    with pytest.raises(RuleViolation):
        services.save_template(actor=world.it, body="   ")
    first = services.active_template()
    second = services.save_template(actor=world.it, name="2027版", body="{{ person }}")
    assert LetterTemplate.objects.get(is_active=True) == second and first != second
    assert "张三" in services.preview_template("{{ person }} / {{ items }}")


@pytest.mark.parametrize("value, code", [
    ("", "signature_invalid"),
    ("data:image/jpeg;base64,AAAA", "signature_invalid"),
    ("data:image/png;base64,not base64!", "signature_invalid"),
    ("data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\x00" * 40).decode(), "signature_invalid"),
    ("data:image/png;base64," + base64.b64encode(png_bytes()[:-12]).decode(), "signature_invalid"),
    (png_data_url(5, 5), "signature_invalid"),
    ("data:image/png;base64," + base64.b64encode(b"\x89PNG" + b"\x00" * 400_000).decode(), "signature_too_large"),
])
def test_signature_validation(value, code):
    with pytest.raises(RuleViolation) as exc:
        services.validate_signature(value)
    assert exc.value.code == code


def test_valid_signature_accepted():
    assert services.validate_signature(png_data_url(300, 120)).startswith(b"\x89PNG")


def test_sign_requires_matching_name_and_custodian(world):
    issue = services.issue_assets(person=world.alice.person, assets=[world.asset()], actor=world.it)
    with pytest.raises(RuleViolation) as exc:
        services.sign_letter(letter=issue.letter, actor=world.alice, typed_name="李 四", signature=png_data_url())
    assert exc.value.code == "name_mismatch"
    with pytest.raises(RuleViolation) as exc:
        services.sign_letter(letter=issue.letter, actor=world.bob, typed_name="李丽", signature=png_data_url())
    assert exc.value.code == "not_custodian"
    with pytest.raises(RuleViolation):
        services.sign_letter(letter=issue.letter, actor=world.alice, typed_name="李丽", signature="data:,")
    issue.letter.refresh_from_db()
    assert issue.letter.status == ResponsibilityLetter.Status.AWAITING
    services.sign_letter(letter=issue.letter, actor=world.alice, typed_name="李丽", signature=png_data_url())
    with pytest.raises(Conflict):
        services.sign_letter(letter=issue.letter, actor=world.alice, typed_name="李丽", signature=png_data_url())


def test_scan_upload_signs_the_letter(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    asset = world.asset()
    issue = services.issue_assets(person=world.alice.person, assets=[asset], actor=world.it)
    with pytest.raises(RuleViolation):
        services.upload_signed_scan(letter=issue.letter, actor=world.it,
                                    scan=SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf"))
    with pytest.raises(RuleViolation):
        services.upload_signed_scan(letter=issue.letter, actor=world.it,
                                    scan=SimpleUploadedFile("letter.exe", b"%PDF-1.4 fake"))
    letter = services.upload_signed_scan(letter=issue.letter, actor=world.it,
                                         scan=SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert letter.status == ResponsibilityLetter.Status.SIGNED and letter.scan and "李丽" in letter.text
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_USE


def test_template_that_fails_to_render_is_refused(world):
    with pytest.raises(RuleViolation):
        services.save_template(actor=world.it, body='{% include "nothing.html" %}')
    with pytest.raises(RuleViolation):
        services.preview_template("{% extends 'base.html' %}")
