"""Attachments carry personal data (wage slips, ID photos): kept outside the media root, with
random file names, and served only to those who may see the case and the worker's identity."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from yizhan.cases import services
from yizhan.core.models import AuditLog

PDF = "%PDF-1.4\n% wage slip of 王小川\n%%EOF\n".encode()


def filed_with_slip(cases, *, withhold=False):
    case, _ = services.case_submit(
        worker=cases.city.alice,
        category=cases.wages,
        description="站点拖欠工资",
        withhold_identity=withhold,
        attachments=[SimpleUploadedFile("王小川工资条.pdf", PDF, content_type="application/pdf")],
    )
    return case, case.attachments.get()


def test_file_is_private_and_has_a_random_name(cases):
    case, attachment = filed_with_slip(cases)
    path = attachment.file.path
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert "王小川" not in path and path.endswith(".pdf")
    assert attachment.name == "王小川工资条.pdf"


def test_worker_and_handling_officer_download_it_and_staff_reads_are_audited(cases, login):
    case, attachment = filed_with_slip(cases)
    url = f"/cases/{case.pk}/attachments/{attachment.pk}/"
    own = login(cases.city.alice).get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert not AuditLog.objects.filter(action="pii_read").exists()
    staff = login(cases.city.dora).get(url)
    assert staff.status_code == 200
    assert staff["Cache-Control"] == "private, no-store"
    assert AuditLog.objects.get(action="pii_read").actor == cases.city.dora


def test_others_cannot_download_it(cases, login):
    case, attachment = filed_with_slip(cases, withhold=True)
    url = f"/cases/{case.pk}/attachments/{attachment.pk}/"
    assert login(cases.city.pat).get(url).status_code == 403  # platform rep, identity withheld
    assert login(cases.city.grace).get(url).status_code == 403  # grid officer: not her case
    page = login(cases.city.pat).get(f"/cases/{case.pk}/").content.decode()
    assert "工资条" not in page
