/**
 * The messaging side: a {@link dev.switchboard.core.messaging.ConversationalBackend} (implemented
 * by providers such as {@code messaging-twilio}) holds {@link
 * dev.switchboard.core.messaging.Conversation}s with {@link
 * dev.switchboard.core.messaging.Participant}s on SMS and WhatsApp, sends and receives {@link
 * dev.switchboard.core.messaging.Message}s with media, and reports delivery status.
 */
@NullMarked
package dev.switchboard.core.messaging;

import org.jspecify.annotations.NullMarked;
