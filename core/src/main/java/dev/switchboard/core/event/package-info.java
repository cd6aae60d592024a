/**
 * Typed events and their delivery. Every state change in Switchboard is a {@link
 * dev.switchboard.core.event.SwitchboardEvent} (call, agent, message and webhook events live next
 * to their domain: {@code core.voice.CallEvent}, {@code core.agent.AgentEvent}, {@code
 * core.messaging.MessageEvent}, {@code core.webhook.WebhookRejected}); an {@link
 * dev.switchboard.core.event.EventBus} delivers them to subscribers by type, each subscriber
 * isolated from the others and from the publisher.
 */
@NullMarked
package dev.switchboard.core.event;

import org.jspecify.annotations.NullMarked;
