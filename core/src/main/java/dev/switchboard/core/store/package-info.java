/**
 * Where calls, transcripts and conversation history are kept. Three SPIs, each with a thread-safe
 * in-memory default for development, tests and single-instance deployments (everything is lost on
 * restart): {@link dev.switchboard.core.store.CallStore} ({@link
 * dev.switchboard.core.store.CallRecord}s, newest first), {@link
 * dev.switchboard.core.store.TranscriptStore} (final transcripts per call, with text search) and
 * {@link dev.switchboard.core.store.ConversationMemory} (per-customer history with a size bound and
 * a {@link dev.switchboard.core.store.Summarizer} hook that folds old entries into a summary
 * instead of forgetting them). Persistent implementations (SQLite, PostgreSQL, Redis) live in their
 * own modules. Stores are usually fed by {@code EventBus} subscribers, so their blocking work stays
 * off call and media threads. Everything they hold is personal data: their values never print
 * transcript text, message text or metadata values in {@code toString}.
 */
@NullMarked
package dev.switchboard.core.store;

import org.jspecify.annotations.NullMarked;
