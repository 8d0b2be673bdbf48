"""Actions that fail with the citizen's words in the exception, for the log-privacy test's
real action server (`python -m rasa_sdk --actions tests.foundation.log_probe_actions`).
Importing `actions` installs what the real action server runs with (bot.logsafe, actions.runtime)."""
from rasa_sdk import Action

import actions  # noqa: F401 - the real package's start-up hooks
from actions.common import safe_run


class ActionProbeCaught(Action):
    """Fails inside safe_run: logged by actions.common, the citizen gets the apology."""

    def name(self) -> str:
        return "action_probe_caught"

    @safe_run(None)
    async def run(self, dispatcher, tracker, domain):
        raise ValueError(f"cannot handle {tracker.latest_message.get('text')!r} from {tracker.sender_id}")


class ActionProbeEscapes(Action):
    """Fails outside safe_run: logged by rasa_sdk's own exception handler."""

    def name(self) -> str:
        return "action_probe_escapes"

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError(f"{tracker.latest_message.get('text')} / {tracker.sender_id}")
