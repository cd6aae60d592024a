/**
 * Not API: the machinery of {@link dev.switchboard.agent.ultravox.UltravoxAgentRuntime}: the engine
 * that owns its threads and sessions, the two kinds of session (the Twilio medium's join URL and
 * the serverWebSocket audio stream) and the ServiceLoader provider. Public types here may change or
 * disappear in any release.
 */
@NullMarked
package dev.switchboard.agent.ultravox.internal.runtime;

import org.jspecify.annotations.NullMarked;
