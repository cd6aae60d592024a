/**
 * Not API: the implementation of {@link dev.switchboard.voice.twilio.TwilioVoiceBackend} (REST
 * client, TwiML, webhooks, media streams, stream tokens). Public classes here may change or vanish
 * in any release; depend only on {@code dev.switchboard.voice.twilio}.
 */
@NullMarked
package dev.switchboard.voice.twilio.internal;

import org.jspecify.annotations.NullMarked;
