"""The HTTP face of the domain: thin controllers that parse, authorise, call one function, answer."""
