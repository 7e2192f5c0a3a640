"""The write paths of the discussion engine.

Every change to threads, comments and votes goes through one ``do_<verb>_<noun>`` here,
after its ``check_<verb>_<noun>`` (which validates and authorises, raising ActionError,
NotAllowed or RateLimited). Views, the API, the demo loader and tests all call these.

Locks, in the one order every action takes them (so writers never deadlock):
thread row → comment rows → vote row. Posting and deleting lock the thread row, which
serialises the writes of one discussion on PostgreSQL (SQLite's IMMEDIATE transactions
serialise all writers anyway); voting touches only the vote and comment rows.
Counters change with F() expressions; events are published after commit.
"""

from broadsheet.discussion.actions._shared import CLOSED_MESSAGE, PARENT_REMOVED_MESSAGE
from broadsheet.discussion.actions.editing import (
    can_delete,
    can_edit,
    check_delete_comment,
    check_edit_comment,
    check_feature_comment,
    check_set_comment_status,
    check_unfeature_comment,
    do_count_report,
    do_delete_comment,
    do_edit_comment,
    do_feature_comment,
    do_set_comment_status,
    do_unfeature_comment,
    edit_deadline,
)
from broadsheet.discussion.actions.importing import (
    IMPORTED_VOTER_PREFIX,
    ImportedComment,
    ImportedVote,
    check_import_comments,
    do_import_comments,
    do_import_thread,
)
from broadsheet.discussion.actions.posting import (
    NewComment,
    check_comment_body,
    check_post_comment,
    do_post_comment,
    initial_status,
    moderation_submission,
)
from broadsheet.discussion.actions.threads import (
    check_moderate_thread,
    check_register_thread,
    do_close_thread,
    do_register_thread,
    do_reopen_thread,
)
from broadsheet.discussion.actions.voting import VoteResult, check_cast_vote, do_cast_vote
from broadsheet.discussion.votes import VOTE_VALUES

__all__ = [
    "CLOSED_MESSAGE",
    "IMPORTED_VOTER_PREFIX",
    "PARENT_REMOVED_MESSAGE",
    "VOTE_VALUES",
    "ImportedComment",
    "ImportedVote",
    "NewComment",
    "VoteResult",
    "can_delete",
    "can_edit",
    "check_cast_vote",
    "check_comment_body",
    "check_delete_comment",
    "check_edit_comment",
    "check_feature_comment",
    "check_import_comments",
    "check_moderate_thread",
    "check_post_comment",
    "check_register_thread",
    "check_set_comment_status",
    "check_unfeature_comment",
    "do_cast_vote",
    "do_close_thread",
    "do_count_report",
    "do_delete_comment",
    "do_edit_comment",
    "do_feature_comment",
    "do_import_comments",
    "do_import_thread",
    "do_post_comment",
    "do_register_thread",
    "do_reopen_thread",
    "do_set_comment_status",
    "do_unfeature_comment",
    "edit_deadline",
    "initial_status",
    "moderation_submission",
]
