"""The editorial workflow: review before publishing, the review conversation, restoring revisions."""
