"""Statistics of the local offers: horizontal solidarity for correspondents, territory figures for officers."""
