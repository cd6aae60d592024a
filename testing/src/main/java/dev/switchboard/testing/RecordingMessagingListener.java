package dev.switchboard.testing;

import dev.switchboard.core.messaging.MessageEvent;
import dev.switchboard.core.messaging.MessagingListener;

/**
 * A {@link MessagingListener} that records every messaging event. Thread-safe.
 *
 * <pre>{@code
 * RecordingMessagingListener events = new RecordingMessagingListener();
 * backend.addListener(events);
 * MessageEvent.MessageReceived received = events.await(MessageEvent.MessageReceived.class);
 * }</pre>
 */
public final class RecordingMessagingListener extends Recorder<MessageEvent>
    implements MessagingListener {
  /** Creates an empty listener. */
  public RecordingMessagingListener() {}

  @Override
  public void onEvent(MessageEvent event) {
    accept(event);
  }
}
