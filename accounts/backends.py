"""Sign-in backend: Django's ``ModelBackend``, with the signed-in user's row kept in the cache.

Every signed-in request loads its user to check that the account is still active and
that the session still matches the password. With a cache every web process shares
(``REDIS_URL``), that row is read from the cache for ``USER_CACHE_SECONDS``; any save or
delete of the user drops it at once (a deactivation, a new password, a sign-in), so the
checks above still see the current row. Without a shared cache the setting is 0 and
every request reads the database, as Django does: a per-process copy could not be
dropped in the other processes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

User = get_user_model()


def _key(user_id: Any) -> str:
    return f"auth-user:{user_id}"


class CachedUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        seconds = settings.USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        user = cache.get(_key(user_id))
        if user is None:
            try:
                user = User._default_manager.get(pk=user_id)
            except User.DoesNotExist:
                return None
            # Cached as read: nothing a request later attaches to the object is kept.
            cache.set(_key(user_id), user, seconds)
        return user if self.user_can_authenticate(user) else None


@receiver(post_save, sender=User, dispatch_uid="accounts.forget_cached_user.save")
@receiver(post_delete, sender=User, dispatch_uid="accounts.forget_cached_user.delete")
def forget_cached_user(sender: type, instance: AbstractBaseUser, **kwargs: Any) -> None:
    cache.delete(_key(instance.pk))
