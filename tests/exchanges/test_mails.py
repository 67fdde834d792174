"""The owner hears by e-mail when the daily eligibility job takes their homes off the map or brings them back:
one e-mail per owner and run whatever the number of homes, sent after commit, in the owner's language."""

from django.conf import settings
from django.core import mail
from django.utils import translation

from exchanges import services
from exchanges.models import Home, HomeStatus
from exchanges.tasks import homes_follow_eligibility_task
from marketplace.accounts.models import User
from marketplace.organisations.models import Employment
from tests.factories.exchanges import QUIMPER, in_days, make_home


def published(owner, title: str, **place) -> Home:
    home = make_home(owner, title=title, **place)
    services.home_publish(actor=owner, home=home)
    return home


def run(capture) -> tuple[list[int], list[int]]:
    with capture(execute=True):
        return services.homes_follow_eligibility(today=in_days(0))


def test_one_mail_per_owner_naming_each_home_then_one_when_they_are_back(
    people, django_capture_on_commit_callbacks
):
    flat = published(people.owner, "Appartement place Grenette")
    house = published(people.owner, "Maison de la Bastille")
    make_home(people.owner, title="Brouillon jamais publié")
    published(people.other, "Penty de Quimper", lon=QUIMPER[0], lat=QUIMPER[1])  # eligible: no mail
    Employment.objects.filter(agent=people.owner).update(status="ended")

    assert run(django_capture_on_commit_callbacks) == ([flat.pk, house.pk], [])
    assert len(mail.outbox) == 1
    paused = mail.outbox[0]
    assert paused.to == [people.owner.email]
    assert "plus sur la carte" in paused.subject
    body = str(paused.body)
    assert "« Appartement place Grenette », Grenoble" in body
    assert "« Maison de la Bastille », Grenoble" in body
    assert "Brouillon" not in body
    assert "Votre emploi chez cet employeur est terminé." in body  # why: the eligibility message
    assert f"{settings.SITE_URL.rstrip('/')}/employeur/" in body  # what to do, and where

    assert run(django_capture_on_commit_callbacks) == ([], [])  # the next day: nothing new, no mail
    assert len(mail.outbox) == 1

    Employment.objects.filter(agent=people.owner).update(status="confirmed")
    assert run(django_capture_on_commit_callbacks) == ([], [flat.pk, house.pk])
    assert len(mail.outbox) == 2
    back = mail.outbox[1]
    assert back.to == [people.owner.email]
    assert "de retour sur la carte" in back.subject
    assert "« Appartement place Grenette »" in str(back.body)
    assert "« Maison de la Bastille »" in str(back.body)
    assert set(Home.objects.filter(pk__in=[flat.pk, house.pk]).values_list("status", flat=True)) == {
        HomeStatus.PUBLISHED
    }


def test_a_home_its_owner_paused_stays_paused_and_unannounced(people, django_capture_on_commit_callbacks):
    home = published(people.owner, "En pause par choix")
    services.home_pause(actor=people.owner, home=home)
    Employment.objects.filter(agent=people.owner).update(status="ended")
    assert run(django_capture_on_commit_callbacks) == ([], [])
    Employment.objects.filter(agent=people.owner).update(status="confirmed")
    assert run(django_capture_on_commit_callbacks) == ([], [])
    assert mail.outbox == []
    assert Home.objects.get(pk=home.pk).status == HomeStatus.PAUSED


def test_the_mail_leaves_only_once_the_change_is_committed(people, django_capture_on_commit_callbacks):
    published(people.owner, "Appartement place Grenette")
    Employment.objects.filter(agent=people.owner).update(status="ended")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        homes_follow_eligibility_task(timestamp=0)  # the daily job, as the worker runs it
    assert mail.outbox == []  # not yet committed: nothing sent
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[people.owner.email]]


def test_each_owner_reads_it_in_their_language(people, django_capture_on_commit_callbacks):
    published(people.owner, "Appartement place Grenette")
    published(people.other, "Penty de Quimper", lon=QUIMPER[0], lat=QUIMPER[1])
    User.objects.filter(pk=people.owner.pk).update(preferred_language="en")
    Employment.objects.filter(agent__in=[people.owner, people.other]).update(status="ended")

    with translation.override("fr"):
        run(django_capture_on_commit_callbacks)
        assert translation.get_language() == "fr"  # the job's own language is left as it was
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(by_address) == 2
    english, french = by_address[people.owner.email], by_address[people.other.email]
    assert english.subject == "[Réciproque] Your home is no longer on the map"
    assert "Your employment with this employer has ended." in str(english.body)
    assert "- “Appartement place Grenette”, Grenoble" in str(english.body)
    assert french.subject == "[Réciproque] Votre logement n'est plus sur la carte"
    assert "Votre emploi chez cet employeur est terminé." in str(french.body)

    Employment.objects.filter(agent=people.owner).update(status="confirmed")
    run(django_capture_on_commit_callbacks)
    assert mail.outbox[-1].subject == "[Réciproque] Your home is back on the map"
