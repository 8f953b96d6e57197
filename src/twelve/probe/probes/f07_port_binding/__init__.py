"""Factor VII, Port binding: the service exports HTTP by binding the port it is given."""
