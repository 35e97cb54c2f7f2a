"""Signals sent after a referral or registration change has committed.

Other apps (meetings, notifications) listen here instead of being called from the services,
so the referral workflow does not depend on them.
"""

from django.dispatch import Signal

# sender=Referral, referral_id, transition, actor_id
referral_transitioned = Signal()
# sender=Registration, registration_id, transition, actor_id
registration_changed = Signal()
