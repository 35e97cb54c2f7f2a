from mappa_workflow import diagrams


def test_every_state_machine_has_an_up_to_date_diagram_in_docs():
    stale = diagrams.out_of_date()
    assert not stale, f"Run `python manage.py state_diagrams`: out of date: {[p.name for p in stale]}"


def test_the_referral_diagram_shows_the_screening_decisions():
    from referrals.models import Referral

    text = diagrams.render(Referral, Referral._meta.get_field("state"))
    assert "submitted --> accepted_level_3: accept_at_level_3" in text
    assert "more_information_requested --> resubmitted: resubmit" in text
