"""Test support: loopback stand-ins (arXiv, LLM), synthetic and fixture data, golden files."""
