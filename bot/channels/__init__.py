"""Rasa input channels: guarded REST/socket.io, web widget, WeChat and WeCom."""
