"""The operators' review inbox: questions the bot could not answer, stored redacted."""
