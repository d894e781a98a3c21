"""inconcert: expose coordinated inauthentic behaviour in social-media data you already hold."""

__version__ = "0.1.0"
