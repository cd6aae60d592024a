/**
 * A {@link dev.switchboard.core.voice.VoiceBackend} over Twilio Programmable Voice and Media
 * Streams: {@link dev.switchboard.voice.twilio.TwilioVoiceBackend}.
 */
@NullMarked
package dev.switchboard.voice.twilio;

import org.jspecify.annotations.NullMarked;
