"""Every Cypher query of kgtutor, one ``.cypher`` file each, shipped as package data."""
