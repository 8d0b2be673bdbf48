"""粤法助手 runtime: channels, custom NLU components, operator tools and CLI."""
