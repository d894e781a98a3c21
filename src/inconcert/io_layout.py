"""The information-operations archive layout (Twitter's IO releases): its column names and list
cells. Shared by the simulator, which writes platforms in it, and the disclosure export."""

from __future__ import annotations

TWEET_COLUMNS = (
    "tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
    "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "is_retweet", "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count",
    "reply_count", "like_count", "retweet_count", "hashtags", "urls", "user_mentions")
# The users file's columns are the tweets file's account columns, in the same order.
USER_COLUMNS = TWEET_COLUMNS[1:11]


def list_cell(values: list[str] | None) -> str:
    """An IO-archive list cell: `[]` or `['a', 'b']`."""
    return "['" + "', '".join(values) + "']" if values else "[]"
