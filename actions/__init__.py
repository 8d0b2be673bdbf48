"""Custom actions of 粤法助手 (run by `python -m rasa_sdk --actions actions`).

rasa_sdk imports every module of this package; each module registers its Action classes.
Importing the package also makes the action server safe to run: log records are redacted
(bot.logsafe) and every action runs off the server's event loop (actions.runtime).
"""
from bot import logsafe
from actions import runtime

logsafe.install()
runtime.install()
