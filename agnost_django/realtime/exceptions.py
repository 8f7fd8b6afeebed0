"""Error codes and exceptions of the realtime module."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError


class RealtimeErrorCode(str, Enum):
    REALTIME_NOT_ENABLED = "realtime_not_enabled"
    GET_CHANNEL_MEMBERS_ERROR = "get_channel_members_error"
    INVALID_CHANNEL = "invalid_channel"
    INVALID_EVENT_NAME = "invalid_event_name"
    CHANNEL_NOT_ALLOWED = "channel_not_allowed"
    INVALID_NAMESPACE = "invalid_namespace"
    MESSAGE_TOO_LARGE = "message_too_large"
    REALTIME_UNREACHABLE = "realtime_unreachable"
    RATE_LIMIT_EXCEEDED = "rate_limit_exceeded"
    CHANNEL_NOT_RESUMABLE = "channel_not_resumable"
    INVALID_RESUME_POINT = "invalid_resume_point"


class RealtimeNotEnabled(AgnostAPIError):
    """``AGNOST_REALTIME_ENABLED`` is off (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Realtime is not enabled.")
    default_code = RealtimeErrorCode.REALTIME_NOT_ENABLED.value


class RealtimeUnreachable(AgnostAPIError):
    """No process serving realtime connections could be reached from this one (503), e.g.
    a send from the shell while the server is not running."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("No realtime server could be reached; the message was not delivered.")
    default_code = RealtimeErrorCode.REALTIME_UNREACHABLE.value


class GetChannelMembersError(AgnostAPIError):
    """The member registry did not answer in time (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The channel members could not be read.")
    default_code = RealtimeErrorCode.GET_CHANNEL_MEMBERS_ERROR.value


class InvalidChannel(AgnostAPIError):
    """A channel name that is not a non-empty string of at most 256 characters (400)."""

    default_detail = _("The channel name is not valid.")
    default_code = RealtimeErrorCode.INVALID_CHANNEL.value


class InvalidEventName(AgnostAPIError):
    """An event name that is empty, too long or reserved (400)."""

    default_detail = _("The event name is not valid.")
    default_code = RealtimeErrorCode.INVALID_EVENT_NAME.value


class ChannelNotAllowed(AgnostAPIError):
    """The adapter refuses the channel to the caller (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You are not allowed to use this channel.")
    default_code = RealtimeErrorCode.CHANNEL_NOT_ALLOWED.value


class FrameRateExceeded(AgnostAPIError):
    """A connection sent frames faster than ``FRAME_RATE``/``FRAME_BURST`` allow (429): the
    excess is dropped."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many messages: slow down, or the connection is closed.")
    default_code = RealtimeErrorCode.RATE_LIMIT_EXCEEDED.value


class ChannelNotResumable(AgnostAPIError):
    """A resume (``since``) on a channel that ``AGNOST_REALTIME_RESUMABLE_CHANNELS`` does not
    name (400): its messages are neither numbered nor kept."""

    default_detail = _("This channel keeps no messages to resume from.")
    default_code = RealtimeErrorCode.CHANNEL_NOT_RESUMABLE.value


class InvalidResumePoint(AgnostAPIError):
    """A ``since`` that is not a whole number of at least 0 (400)."""

    default_detail = _("'since' must be the number of the last message received (0 for all kept).")
    default_code = RealtimeErrorCode.INVALID_RESUME_POINT.value
