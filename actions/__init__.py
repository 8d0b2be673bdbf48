"""Custom actions of 粤法助手 (run by `python -m rasa_sdk --actions actions`).

rasa_sdk imports every module of this package; each module registers its Action classes.
"""
