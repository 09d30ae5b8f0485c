"""Static rule scopes: the actions and channels for which a rule's `applies` can be true.

They only let the engine skip rules cheaply (packs.plan); each rule's `applies` still decides.
"""

from __future__ import annotations

CALLS = frozenset({"call", "voicemail"})
CALLS_AND_TEXTS = frozenset({"call", "voicemail", "sms"})
CALL_OR_VISIT = frozenset({"call", "visit"})
ELECTRONIC = frozenset({"email", "sms", "social_dm"})
WRITTEN = frozenset({"letter", "email", "sms", "social_dm"})
# Every channel judged at its send instant; letters are judged on delivery (decisions.md D-12).
TIMED = frozenset({"call", "voicemail", "sms", "email", "social_dm", "visit"})
EMAIL = frozenset({"email"})
SMS = frozenset({"sms"})
SOCIAL = frozenset({"social_dm"})
LETTER = frozenset({"letter"})
VOICEMAIL = frozenset({"voicemail"})
VISIT = frozenset({"visit"})

CONTACT_OR_FURNISH = frozenset({"contact", "furnish"})
FURNISH = frozenset({"furnish"})
PURGE = frozenset({"purge"})
ANY_ACTION = frozenset({"contact", "furnish", "purge"})
