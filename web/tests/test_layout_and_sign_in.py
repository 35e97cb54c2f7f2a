import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_carries_the_marking_the_phase_and_the_synthetic_data_banner(client):
    page = client.get(reverse("login")).content.decode()
    assert "OFFICIAL-SENSITIVE" in page
    assert "govuk-phase-banner" in page and "Beta" in page
    assert "Synthetic data" in page
    assert 'href="#main-content"' in page
    # The CSP forbids inline script and style: every script is a file and no element has a style attribute.
    assert "<script>" not in page and "style=" not in page
    assert "js/body-classes" in page and "js/application" in page


def test_a_wrong_password_shows_an_error_summary_and_does_not_sign_in(client):
    user = factories.coordinator()
    response = client.post(reverse("login"), {"username": user.username, "password": "not it"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter a correct username and password" in page
    assert page.count("<title>Error: ") == 1
    assert "_auth_user_id" not in client.session


def test_empty_sign_in_names_both_fields(client):
    page = client.post(reverse("login"), {}).content.decode()
    assert 'href="#id_username">Enter your username' in page
    assert 'href="#id_password">Enter your password' in page


def test_signing_in_lands_a_coordinator_on_the_dashboard_and_sign_out_is_a_post(client):
    user = factories.coordinator()
    factories.totp_device(user)
    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse battery staple"})
    assert response.status_code == 302 and response.url == reverse("home")
    verify = client.get(reverse("home")).url  # the second factor comes before any page
    assert verify.startswith("/two-factor/verify/")
    client.post(verify, {"code": factories.totp_code(user), "next": reverse("home")})
    assert client.get(reverse("home")).url == reverse("web:dashboard")
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert "Sign out" in dashboard and "Referrals awaiting screening" in dashboard
    client.post(reverse("logout"))
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_pages_need_sign_in(client):
    response = client.get(reverse("web:referral_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_each_role_starts_where_its_work_is(signed_in):
    from mappa_workflow.models import Role

    smb = factories.UserFactory(roles=[Role.SMB_MEMBER])
    assert signed_in(smb).get(reverse("home")).url == reverse("web:statistics")
    practitioner = factories.practitioner()
    page = signed_in(practitioner).get(reverse("home"))
    assert page.status_code == 200 and "Refer someone to MAPPA" in page.content.decode()
