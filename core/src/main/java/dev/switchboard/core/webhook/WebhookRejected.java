package dev.switchboard.core.webhook;

import dev.switchboard.core.event.SwitchboardEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * A webhook or media stream was refused because it failed verification (forged signature, stale
 * timestamp, missing or reused stream token). Nothing else was done with it.
 *
 * @param url the public URL it was sent to, without query string
 * @param reason which check failed; never the secret or the expected signature
 * @param remoteAddress the sender's address as seen by the server
 * @param timestamp when
 */
public record WebhookRejected(String url, String reason, String remoteAddress, Instant timestamp)
    implements SwitchboardEvent {
  /** Validates the components. */
  public WebhookRejected {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
