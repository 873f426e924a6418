"""Sign-in backend: Django's ``ModelBackend``, with the signed-in user's row kept in the cache.

Every signed-in request loads its user to check that the account is still active and
that the session still matches the password. With a cache every web process shares
(``REDIS_URL``), that row is read from the cache for ``USER_CACHE_SECONDS``.

Each user has a generation number in the cache, and a cached row is used only while
the number it was read under is still current. Any save or delete of the user moves
the number on, at once and again when the transaction commits: a request that read
the old row meanwhile (before the commit, or just before the save) stores it under a
number that is already past, so the next request reads the database. A deactivation,
a new password or a deletion made through Django therefore takes effect at the next
request. A change that bypasses the model's signals (``QuerySet.update``, raw SQL)
is seen once the copy expires.

Without a shared cache the setting is 0 and every request reads the database, as
Django does: a copy in one process's memory could not be dropped by the others.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

User = get_user_model()


def _row_key(user_id: Any) -> str:
    return f"auth-user:{user_id}"


def _generation_key(user_id: Any) -> str:
    return f"auth-user-generation:{user_id}"


class CachedUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        seconds = settings.USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        row_key, generation_key = _row_key(user_id), _generation_key(user_id)
        found = cache.get_many([row_key, generation_key])  # one round trip
        generation = found.get(generation_key, 0)
        cached = found.get(row_key)
        if cached is not None and cached[0] == generation:
            user = cached[1]
        else:
            try:
                user = User._default_manager.get(pk=user_id)
            except User.DoesNotExist:
                return None
            # Stored as read (nothing a request attaches later is kept), under the
            # generation read before the row: a save meanwhile has already moved it on.
            cache.set(row_key, (generation, user), seconds)
        return user if self.user_can_authenticate(user) else None


def _next_generation(user_id: Any) -> None:
    key = _generation_key(user_id)
    # A number that outlives any cached row; add() makes it exist before incr().
    cache.add(key, 0, timeout=None)
    cache.incr(key)


@receiver(post_save, sender=User, dispatch_uid="accounts.forget_cached_user.save")
@receiver(post_delete, sender=User, dispatch_uid="accounts.forget_cached_user.delete")
def forget_cached_user(sender: type, instance: AbstractBaseUser, **kwargs: Any) -> None:
    if not settings.USER_CACHE_SECONDS:
        return
    user_id = instance.pk
    _next_generation(user_id)
    # Again once the change is visible to other connections: a request that read the
    # old row before the commit must not keep it.
    transaction.on_commit(lambda: _next_generation(user_id))
