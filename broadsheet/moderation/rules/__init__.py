"""The moderation rules, one small module each; ``pipeline.RULES`` puts them in order."""
