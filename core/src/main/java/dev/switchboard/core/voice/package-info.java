/**
 * The telephony side: {@link dev.switchboard.core.voice.VoiceBackend} (implemented by providers
 * such as {@code voice-twilio}) with its {@link dev.switchboard.core.voice.Call}s and their {@link
 * dev.switchboard.core.voice.MediaStream}s, and the values they take and return.
 */
@NullMarked
package dev.switchboard.core.voice;

import org.jspecify.annotations.NullMarked;
