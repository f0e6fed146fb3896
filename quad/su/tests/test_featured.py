import pytest
from django.urls import reverse

from quad.core.models import AuditEvent
from quad.societies import services as society_services
from quad.societies.models import Society
from quad.su import services
from quad.su.errors import ConsoleError
from quad.su.models import FeaturedSociety

pytestmark = pytest.mark.django_db


def _su(action: str, society: Society) -> str:
    return reverse(f"su:{action}", kwargs={"slug": society.slug})


def _front_page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_front_page_features_nothing_until_staff_choose(client, society) -> None:
    page = _front_page(client)

    assert "Featured societies" not in page
    assert "Hiking Society" not in page


def test_staff_feature_a_society_on_the_front_page(staff_client, client, society, other_society, su_staff) -> None:
    response = staff_client.post(_su("feature-society", society))

    assert response.status_code == 302
    featured = FeaturedSociety.objects.get()
    assert featured.society == society
    assert featured.featured_by == su_staff
    assert AuditEvent.objects.filter(action="su.society.featured", target_id=str(society.pk)).exists()
    staff_client.logout()
    page = _front_page(client)
    assert "Featured societies" in page
    assert "Hiking Society" in page
    assert "Chess Club" not in page


def test_staff_unfeature_a_society(staff_client, client, society, su_staff) -> None:
    services.feature_society(society, actor=su_staff)

    response = staff_client.post(_su("unfeature-society", society))

    assert response.status_code == 302
    assert not FeaturedSociety.objects.exists()
    assert AuditEvent.objects.filter(action="su.society.unfeatured").exists()
    staff_client.logout()
    assert "Hiking Society" not in _front_page(client)


def test_featuring_twice_is_refused_with_a_message(staff_client, society, su_staff) -> None:
    services.feature_society(society, actor=su_staff)

    response = staff_client.post(_su("feature-society", society), follow=True)

    assert "Hiking Society is already featured." in response.content.decode()
    assert FeaturedSociety.objects.count() == 1


def test_unfeaturing_a_society_that_is_not_featured_records_nothing(society, su_staff) -> None:
    services.unfeature_society(society, actor=su_staff)

    assert not AuditEvent.objects.filter(action="su.society.unfeatured").exists()


def test_only_active_societies_can_be_featured(society, su_staff) -> None:
    society = society_services.suspend_society(society, actor=su_staff, reason="x")

    with pytest.raises(ConsoleError, match="Only active societies"):
        services.feature_society(society, actor=su_staff)

    assert not FeaturedSociety.objects.exists()


def test_featured_society_leaves_the_front_page_while_suspended(client, society, other_society, su_staff) -> None:
    services.feature_society(society, actor=su_staff)
    services.feature_society(other_society, actor=su_staff)

    society_services.suspend_society(society, actor=su_staff, reason="Under review.")

    page = _front_page(client)
    assert "Chess Club" in page
    assert "Hiking Society" not in page

    society_services.reinstate_society(society, actor=su_staff)
    assert "Hiking Society" in _front_page(client)


def test_folded_featured_society_is_not_shown(client, society, su_staff) -> None:
    services.feature_society(society, actor=su_staff)

    society_services.fold_society(society, actor=su_staff, reason="Gone.")

    assert "Hiking Society" not in _front_page(client)


def test_front_page_counts_active_societies(client, society, other_society, su_staff) -> None:
    society_services.suspend_society(other_society, actor=su_staff, reason="x")

    assert "1 societies, one place." in _front_page(client)


def test_students_cannot_feature(client, society, committee_trained) -> None:
    client.force_login(committee_trained)

    response = client.post(_su("feature-society", society))

    assert response.status_code == 403
    assert not FeaturedSociety.objects.exists()
