"""Context packs: the definitions a model should read, fitted to a token budget."""
