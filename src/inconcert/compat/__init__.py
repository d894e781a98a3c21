"""Compatibility modes: reproduce other tools' outputs exactly on the case store.

`cnt`: coordination-network-toolkit 1.5.2's co_retweet, co_tweet, co_link and co_reply networks
(see docs/compat-cnt.md).
"""
