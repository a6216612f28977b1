"""The prompts every script speaks, where each comes from (a recording or a TTS engine)."""
