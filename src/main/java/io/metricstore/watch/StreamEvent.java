package io.metricstore.watch;

import io.metricstore.store.StoreException;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;

/** What a change stream sends: the changes one by one, bookmarks while idle, and why it ends. */
public sealed interface StreamEvent {

    /** One series change and the cursor right after it, from which a reconnecting client resumes. */
    record Changed(Change change, Cursor after) implements StreamEvent {
    }

    /** Nothing changed for a while: the cursor the stream is at. */
    record Bookmark(Cursor cursor) implements StreamEvent {
    }

    /** The stream's cursor is no longer served (where {@code GET /changes} answers 410); the stream ends. */
    record Expired(StoreException.CursorExpired cause) implements StreamEvent {
    }
}
